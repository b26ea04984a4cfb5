import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { apiKeyHash, createApiKeyRecords, createLogger, createRedis, newApiKey } from '@vectorauth/shared';

/**
 * A personal API key for `sub` (scope `vectors:read`, an hour), its record published in Redis
 * exactly as the auth server publishes one: the resource side of keys is what the bench measures.
 */
export async function publishBenchApiKey(redisUrl: string, sub: string): Promise<string> {
  const redis = createRedis(redisUrl, 'bench-api-key', createLogger({ name: 'bench', level: 'warn' }));
  try {
    if (redis.status !== 'ready') await once(redis, 'ready');
    const key = newApiKey();
    const now = Math.floor(Date.now() / 1000);
    await createApiKeyRecords(redis).publish(apiKeyHash(key), {
      id: randomUUID(),
      sub,
      scope: 'vectors:read',
      iat: now,
      exp: now + 3600,
    });
    return key;
  } finally {
    redis.disconnect();
  }
}
