import type { Redis } from 'ioredis';
import type { Context } from 'koa';
import RedisLimiter from 'koa-ratelimit/limiter/redis.js';
import { ServiceUnavailableError } from '../errors/errors.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfter: number;
}

export interface RateLimiter {
  /**
   * Counts one request against `bucket` (max per window, shared by every instance through
   * Redis), sets `RateLimit-Limit/Remaining/Reset` (and `Retry-After` when refused). A Redis that
   * cannot be asked is a 503: limits fail closed.
   */
  check(ctx: Context, bucket: string, max: number): Promise<RateDecision>;
}

/**
 * koa-ratelimit's sliding window on Redis (its own Redis driver, built once: one script, one
 * round trip per check), as a check callers answer in their own wire format. Its middleware is
 * not used: it answers by itself, and sends `RateLimit-Reset` as an epoch where the RateLimit
 * header fields carry seconds from now. Keys: `<namespace>:<bucket>`, a sorted set of the
 * window's requests.
 */
export function createRateLimiter(
  redis: Redis,
  options: { windowMs: number; namespace?: string },
): RateLimiter {
  const window = new RedisLimiter({
    db: redis,
    duration: options.windowMs,
    namespace: options.namespace ?? 'rl',
  });
  return {
    async check(ctx, bucket, max) {
      let limit: Awaited<ReturnType<RedisLimiter['get']>>;
      try {
        limit = await window.get({ id: bucket, max });
      } catch {
        throw new ServiceUnavailableError(
          'rate limits cannot be checked right now; try again shortly',
          'redis',
        );
      }
      const allowed = limit.remaining > 0;
      const resetIn = Math.max(0, Math.ceil(limit.reset - Date.now() / 1000));
      ctx.set('RateLimit-Limit', String(limit.total));
      ctx.set('RateLimit-Remaining', String(allowed ? limit.remaining - 1 : 0));
      ctx.set('RateLimit-Reset', String(resetIn));
      if (allowed) return { allowed, retryAfter: 0 };
      const retryAfter = Math.max(1, resetIn);
      ctx.set('Retry-After', String(retryAfter));
      return { allowed, retryAfter };
    },
  };
}
