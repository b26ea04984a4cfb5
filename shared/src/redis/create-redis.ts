import { Redis } from 'ioredis';
import type { Logger } from '../logger/logger.ts';

export type { Redis };

/**
 * An ioredis client that fails fast instead of queueing while Redis is away, so callers answer
 * 503 (fail closed) rather than hang. It connects in the background and keeps reconnecting;
 * `/readyz` reports it. Each distinct connection error is logged once.
 */
export function createRedis(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn({ err: err.message }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  redis.connect().catch(() => undefined);
  return redis;
}

/** QUIT when connected, otherwise drop the connection attempt. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
