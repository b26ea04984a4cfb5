import type { Redis } from './create-redis.ts';

/**
 * Resolves when the connection is ready, has failed once, or after `ms`, whichever comes first:
 * what a service waits for before it serves, so that its first requests (all of which ask Redis)
 * are not refused for want of a connection still being made. A Redis that is down fails at once
 * (connection refused) and the service starts anyway, failing closed.
 */
export function redisSettled(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
    redis.once('error', done);
  });
}
