import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { isSpecialUseAddress } from './special-use-address.ts';

export type FetchLike = (url: string | URL, init: Record<string, unknown>) => Promise<Response>;

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The fetch oidc-provider uses for what a client names (its metadata document): in production no
 * special-use address is ever connected to, whatever a name resolves to (checked on every address
 * of the answer, before connecting, so a DNS rebind between a check and the connection cannot slip
 * through); an IP literal is checked before anything is sent. `caFile` adds trusted CAs (PEM).
 * oidc-provider gives the rest: a 2.5 s timeout, no redirects followed, a body size cap.
 */
export function createGuardedFetch(options: { production: boolean; caFile?: string | undefined }): FetchLike {
  const ca = options.caFile ? [...rootCertificates, readFileSync(options.caFile, 'utf8')] : undefined;
  const lookup = (hostname: string, lookupOptions: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => isSpecialUseAddress(a.address));
      if (options.production && refused) {
        const denied: NodeJS.ErrnoException = new Error(`${hostname} resolves to a special-use address`);
        denied.code = 'ESPECIALUSE';
        return callback(denied, []);
      }
      if ((lookupOptions as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
  const dispatcher = new Agent({ connect: { lookup, ...(ca ? { ca } : {}) } });
  return async (url, init) => {
    const target = new URL(url);
    if (options.production && isSpecialUseAddress(target.hostname)) {
      throw new Error(`${target.hostname} is a special-use address`);
    }
    return (await undiciFetch(target, { ...init, dispatcher } as Parameters<
      typeof undiciFetch
    >[1])) as unknown as Response;
  };
}
