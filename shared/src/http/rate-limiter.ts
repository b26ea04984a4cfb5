import type { Context } from 'koa';
import { ServiceUnavailableError } from '../errors/errors.ts';
import { defineBatchedRedisScript } from '../redis/batched-redis-script.ts';
import type { Redis } from '../redis/create-redis.ts';
import { SLIDING_WINDOW_LUA, type WindowCount, windowCountFrom } from './sliding-window-counter.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfter: number;
  /** Requests left in the window after this one (`RateLimit-Remaining`). */
  remaining: number;
}

export interface RateLimiter {
  /**
   * Counts one request against `bucket` (max per window, shared by every instance through
   * Redis), sets `RateLimit-Limit/Remaining/Reset` (and `Retry-After` when refused). A Redis that
   * cannot be asked is a 503: limits fail closed. One Redis command.
   */
  check(ctx: Context, bucket: string, max: number): Promise<RateDecision>;
  /** The window, for a script that counts inside a larger check (`createRequestChecks`). */
  readonly windowMs: number;
  /** The Redis key of `bucket`, for the same. */
  key(bucket: string): string;
  /** Sets the headers of a count made by such a script and decides, as `check` does. */
  answer(ctx: Context, max: number, count: WindowCount): RateDecision;
}

/** The 503 of a limit Redis cannot answer. */
export const rateLimitUnavailable = () =>
  new ServiceUnavailableError('rate limits cannot be checked right now; try again shortly', 'redis');

/**
 * A sliding-window counter in Redis (`sliding-window-counter.ts`: one small hash per bucket, one
 * EVALSHA per check), as a check callers answer in their own wire format. `RateLimit-Reset` and
 * `Retry-After` are seconds from now (the RateLimit header fields), `Reset` the time until one
 * more request would be admitted. Keys:
 *
 *   <namespace>:sw:<bucket>   the counter's hash (namespace `rl` by default)
 *
 * The earlier layout, `<namespace>:<bucket>`, was koa-ratelimit's sorted set of every request
 * (async-ratelimiter's log, six commands per check). No bucket starts with `sw:`, so during a
 * rolling deploy old and new instances count in different keys and never read each other's type:
 * a client can get up to twice its limit for at most one window, then the old keys expire.
 */
export function createRateLimiter(
  redis: Redis,
  options: { windowMs: number; namespace?: string },
): RateLimiter {
  const { windowMs } = options;
  const namespace = options.namespace ?? 'rl';
  const count = defineBatchedRedisScript(
    redis,
    'vectorauthRateLimit',
    `${SLIDING_WINDOW_LUA}
local function perCall(KEYS, ARGV)
  return slidingWindow(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), redisNowMs())
end`,
  );
  const limiter: RateLimiter = {
    windowMs,
    key: (bucket) => `${namespace}:sw:${bucket}`,

    async check(ctx, bucket, max) {
      let reply: unknown;
      try {
        reply = await count([limiter.key(bucket)], [max, windowMs]);
      } catch {
        throw rateLimitUnavailable();
      }
      return limiter.answer(ctx, max, windowCountFrom(reply));
    },

    answer(ctx, max, counted) {
      const resetIn = Math.ceil(counted.freesInMs / 1000);
      const remaining = Math.max(0, max - counted.count);
      ctx.set('RateLimit-Limit', String(max));
      ctx.set('RateLimit-Remaining', String(remaining));
      if (counted.admitted) {
        ctx.set('RateLimit-Reset', String(resetIn));
        return { allowed: true, retryAfter: 0, remaining };
      }
      const retryAfter = Math.max(1, resetIn);
      ctx.set('RateLimit-Reset', String(retryAfter));
      ctx.set('Retry-After', String(retryAfter));
      return { allowed: false, retryAfter, remaining };
    },
  };
  return limiter;
}
