import { Cluster, type ClusterOptions, Redis as IoRedis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger/logger.ts';
import { parseRedisUrl, type RedisConnection } from './redis-url.ts';

/**
 * A connection to Redis however it is run: one server (or a Sentinel set's master, which ioredis
 * follows through a failover) or a Cluster. Both answer the same commands.
 */
export type Redis = IoRedis | Cluster;

/**
 * In a Cluster, every key of ours carries this hash tag, so all of them live in one slot: a Lua
 * script may only touch keys of one slot, and ours read, in one round trip, keys of every kind
 * together (a request's revocation entries, its rate limit, its collection's version) and of many
 * requests at once (the batched checks). The Cluster then gives failover and replicas, not
 * sharding of our keys; the load they bring is small (README "Capacity"). Set by ioredis
 * (`keyPrefix`) on every key of every command, including a script's KEYS.
 */
export const CLUSTER_KEY_PREFIX = '{vectorauth}:';

/** Fail fast instead of queueing while Redis is away: callers answer 503 (fail closed), never hang. */
const FAIL_FAST = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
} satisfies RedisOptions;

const retryDelay = (attempt: number) => Math.min(attempt * 200, 2000);

function connect(connection: RedisConnection, name: string): Redis {
  if (connection.mode === 'standalone') {
    return new IoRedis(connection.url, {
      ...FAIL_FAST,
      connectionName: name,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: retryDelay,
    });
  }
  const { username, password } = connection;
  const tls = connection.tls ? {} : undefined;
  if (connection.mode === 'sentinel') {
    return new IoRedis({
      ...FAIL_FAST,
      connectionName: name,
      lazyConnect: true,
      enableOfflineQueue: false,
      sentinels: connection.sentinels,
      name: connection.name,
      username,
      password,
      tls,
      ...(tls ? { sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      retryStrategy: retryDelay,
      sentinelRetryStrategy: retryDelay,
    });
  }
  const options: ClusterOptions = {
    keyPrefix: CLUSTER_KEY_PREFIX,
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: retryDelay,
    redisOptions: { ...FAIL_FAST, connectionName: name, username, password, tls },
  };
  return new Cluster(connection.nodes, options);
}

/**
 * A connection for `url` (`redis://`, `rediss://`, `redis+cluster://…`, `redis+sentinel://…/name`:
 * redis-url.ts) that fails fast while Redis is away. It connects in the background and keeps
 * reconnecting; `/readyz` reports it. Each distinct connection error is logged once per outage.
 */
export function createRedis(url: string, name: string, logger: Logger): Redis {
  const redis = connect(parseRedisUrl(url), name);
  // Each distinct problem once until the connection is ready again (a Sentinel set alternates
  // between "all sentinels unreachable" and the old master refusing, for the whole failover).
  const logged = new Set<string>();
  redis.on('error', (err: Error) => {
    if (logged.has(err.message)) return;
    logged.add(err.message);
    logger.warn({ err: err.message }, 'redis connection problem');
  });
  redis.on('ready', () => logged.clear());
  redis.connect().catch(() => undefined);
  return redis;
}

/** Connections closeRedis has begun to close (their status stays 'ready' while QUIT is on its way). */
const closing = new WeakSet<Redis>();

/** Whether `redis` is not ready, or is being closed by us: a command failing now is no outage. */
export function redisGoingAway(redis: Redis): boolean {
  return redis.status !== 'ready' || closing.has(redis);
}

/** QUIT when connected, otherwise drop the connection attempt. */
export async function closeRedis(redis: Redis): Promise<void> {
  closing.add(redis);
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
