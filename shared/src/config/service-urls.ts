import { z } from 'zod';

/**
 * URLs follow ports: in development a service that is not told another's URL derives it from the
 * port `npm start` gives both services; in production every URL a service publishes or trusts is
 * explicit and https, except plain http to a loopback host (nobody else can see that hop) or to a
 * private host the operator lists explicitly (`JWKS_HTTP_HOSTS`).
 */
export const localUrl = (port: number): string => `http://localhost:${port}`;

/**
 * `localhost`, 127.0.0.0/8 and ::1: hosts that never leave the machine. Not `*.localhost`: browsers
 * keep it local, but Node's resolver (getaddrinfo) asks DNS for it, search domains included.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether `value` may be used in production: https, or http to loopback or to one of `httpHosts`. */
export function isProductionUrl(value: string, httpHosts: readonly string[] = []): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  if (protocol === 'https:') return true;
  return protocol === 'http:' && (isLoopbackHost(hostname) || httpHosts.includes(hostname.toLowerCase()));
}

/**
 * A URL a production service needs: present (`what` says which, with an example), and https
 * unless loopback (or a host listed in `listedIn`, whose names are `httpHosts`).
 */
export const productionUrl = (what: string, httpHosts: readonly string[] = [], listedIn?: string) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `is required in production: ${what}` : undefined),
    })
    .refine((v) => isProductionUrl(v, httpHosts), {
      message: `must be an https URL in production (plain http only to a loopback host${listedIn ? ` or a host listed in ${listedIn}` : ''})`,
    });

/** Present in production (`what`: the value it takes and how to get one); its own schema checks the value. */
export const requiredInProduction = (what: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? `is required in production: ${what}` : undefined),
  });

/** A comma-separated list of host names (lower-cased), e.g. `JWKS_HTTP_HOSTS=auth-server`. */
export const hostList = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((hosts) => hosts.every((h) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h)), {
      message: 'must be comma-separated host names (no scheme, port or path)',
    })
    .default([]);

/** The host names of a `hostList` value as given in `env` (for checks that need them before parsing). */
export function parseHostList(value: string | undefined): string[] {
  const parsed = hostList().safeParse(value);
  return parsed.success ? parsed.data : [];
}
