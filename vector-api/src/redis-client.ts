import type { Logger } from '@vectorauth/shared';
import { ServiceUnavailableError } from '@vectorauth/shared';
import { Redis } from 'ioredis';

export interface RedisClient {
  /** PING; a down Redis fails at once with a 503 instead of queueing. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The vector API's one Redis connection (readiness now; the revocation check later). Commands never
 * wait in an offline queue: when Redis is down they fail fast, and the client keeps reconnecting.
 */
export function createRedisClient(url: string, logger: Logger): RedisClient {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn({ err: err.message }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  redis.connect().catch(() => undefined); // keeps retrying in the background; readiness reports it

  return {
    async ping() {
      try {
        await redis.ping();
      } catch {
        throw new ServiceUnavailableError('redis is unavailable');
      }
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
