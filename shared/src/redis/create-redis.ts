import { Redis } from 'ioredis';

export type { Redis };

/**
 * An ioredis client that fails fast instead of queueing while Redis is away, so callers can
 * answer 503 (fail closed) rather than hang. It reconnects by itself when Redis is back.
 */
export async function createRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  redis.on('error', () => {
    // Reported through failing commands and /readyz; the client reconnects on its own.
  });
  await redis.connect();
  return redis;
}
