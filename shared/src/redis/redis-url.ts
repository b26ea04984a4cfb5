/** One node or Sentinel address of a Redis URL. */
export interface RedisAddress {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  /** `rediss…`: TLS to every node (and, with Sentinel, to the Sentinels). */
  tls: boolean;
}

/** What a `REDIS_URL` names: one server, a Cluster by its seed nodes, or a Sentinel set's master. */
export type RedisConnection =
  | { mode: 'standalone'; url: string }
  | ({ mode: 'cluster'; nodes: RedisAddress[] } & Credentials)
  | ({ mode: 'sentinel'; sentinels: RedisAddress[]; name: string } & Credentials);

export const REDIS_URL_FORMS =
  'redis://host:port (or rediss:// for TLS), redis+cluster://host1:port1,host2:port2 (Cluster seed nodes) or redis+sentinel://host1:port1,host2:port2/master-name';

const SCHEME = /^(rediss?)(?:\+(cluster|sentinel))?:\/\/(.*)$/i;
// host:port, host, [v6]:port or [v6]; a host name or IPv4 address without ':' or '@'.
const ADDRESS = /^(?:\[([0-9a-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/i;

/** A `REDIS_URL` that cannot be used: the message says what is wrong with it (never its secret). */
export class RedisUrlError extends Error {}

function addresses(list: string, defaultPort: number): RedisAddress[] {
  return list.split(',').map((item, i) => {
    const match = ADDRESS.exec(item.trim());
    const port = Number(match?.[3] ?? defaultPort);
    if (!match || port < 1 || port > 65535) {
      // By position, never by value: an unencoded '/' or '@' in a password lands here.
      throw new RedisUrlError(`its host ${i + 1} is not a host:port`);
    }
    return { host: (match[1] ?? match[2]) as string, port };
  });
}

function decoded(part: string | undefined, what: string): string | undefined {
  if (part === undefined || part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RedisUrlError(`its ${what} is not percent-encoded correctly`);
  }
}

/**
 * Reads a `REDIS_URL`. `redis://` and `rediss://` are handed to ioredis as they are (a database
 * number in the path, credentials, query options). The `+cluster` and `+sentinel` forms list
 * several `host:port` (6379 and 26379 when left out) after optional `user:password@`, which are the
 * credentials of the Redis nodes; a Sentinel URL's path is the master's name.
 */
export function parseRedisUrl(value: string): RedisConnection {
  const match = SCHEME.exec(value.trim());
  if (!match) throw new RedisUrlError(`must be ${REDIS_URL_FORMS}`);
  const [, scheme, kind, rest] = match as unknown as [string, string, string | undefined, string];
  if (!kind) {
    if (!URL.canParse(value)) throw new RedisUrlError(`must be ${REDIS_URL_FORMS}`);
    return { mode: 'standalone', url: value };
  }
  if (/[?#]/.test(rest)) throw new RedisUrlError('a Cluster or Sentinel URL takes no query or fragment');
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const hosts = at < 0 ? authority : authority.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const credentials: Credentials = {
    username: decoded(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name'),
    password: decoded(colon < 0 ? undefined : userinfo.slice(colon + 1), 'password'),
    tls: scheme.toLowerCase() === 'rediss',
  };
  if (!hosts) throw new RedisUrlError('names no host');
  if (kind.toLowerCase() === 'cluster') {
    if (path !== '') throw new RedisUrlError('a Cluster URL takes no path (a Cluster has one database)');
    return { mode: 'cluster', nodes: addresses(hosts, 6379), ...credentials };
  }
  const name = decoded(path, 'master name');
  if (!name || name.includes('/')) {
    throw new RedisUrlError('a Sentinel URL must end in /<master-name> (the name the Sentinels monitor)');
  }
  return { mode: 'sentinel', sentinels: addresses(hosts, 26379), name, ...credentials };
}
