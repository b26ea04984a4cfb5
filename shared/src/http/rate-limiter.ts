import type { Redis } from 'ioredis';
import type { Context } from 'koa';
import ratelimit from 'koa-ratelimit';
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

/** koa-ratelimit's sliding window on Redis, as a check callers answer in their own wire format. */
export function createRateLimiter(
  redis: Redis,
  options: { windowMs: number; namespace?: string },
): RateLimiter {
  const namespace = options.namespace ?? 'rl';
  return {
    async check(ctx, bucket, max) {
      let allowed = false;
      const limiter = ratelimit({
        driver: 'redis',
        db: redis,
        namespace,
        duration: options.windowMs,
        max,
        id: () => bucket,
        headers: { remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset', total: 'RateLimit-Limit' },
      });
      // koa-ratelimit answers on the context it is given; give it a stand-in and answer ourselves.
      const headers: Record<string, string | number> = {};
      const standIn = {
        state: {},
        set: (field: string | Record<string, string | number>, value?: string | number) => {
          if (typeof field === 'string') headers[field] = value ?? '';
          else Object.assign(headers, field);
        },
      };
      try {
        await limiter(standIn as unknown as Context, async () => {
          allowed = true;
        });
      } catch {
        throw new ServiceUnavailableError(
          'rate limits cannot be checked right now; try again shortly',
          'redis',
        );
      }
      // koa-ratelimit gives an epoch for Reset; the RateLimit header fields carry seconds from now.
      const resetIn = Math.max(0, Math.ceil(Number(headers['RateLimit-Reset']) - Date.now() / 1000));
      ctx.set('RateLimit-Limit', String(headers['RateLimit-Limit'] ?? max));
      ctx.set('RateLimit-Remaining', String(headers['RateLimit-Remaining'] ?? 0));
      ctx.set('RateLimit-Reset', String(Number.isFinite(resetIn) ? resetIn : 0));
      const retryAfter = allowed ? 0 : Math.max(1, Number.isFinite(resetIn) ? resetIn : 1);
      if (!allowed) ctx.set('Retry-After', String(retryAfter));
      return { allowed, retryAfter };
    },
  };
}
