import { RateLimitedError, type RateLimiter } from '@vectorauth/shared';
import type { Context, Next } from 'koa';

export interface VectorRateLimits {
  /** Requests per principal and scope per window. */
  perPrincipal: number;
  /** Overrides by the route's scope (e.g. `vectors:write` lower than reads). */
  byScope: ReadonlyMap<string, number>;
  /** Overrides by the token's client (a trusted batch job, a noisy integration). */
  byClient: ReadonlyMap<string, number>;
}

/**
 * The vector API's rate limit, after the token verified: one bucket per principal and route
 * scope; the limit is the client's override, else the scope's, else the default. 429 with
 * Retry-After and RateLimit-* headers.
 */
export function createVectorRateLimit(deps: {
  limiter: RateLimiter;
  limits: VectorRateLimits;
  onLimited?: (ctx: Context) => void;
}) {
  return (scope: string) =>
    async function vectorRateLimit(ctx: Context, next: Next): Promise<void> {
      const token = ctx.state.token as { sub: string; clientId: string };
      const { limits } = deps;
      const max = limits.byClient.get(token.clientId) ?? limits.byScope.get(scope) ?? limits.perPrincipal;
      const decision = await deps.limiter.check(ctx, `vec:${scope}:${token.sub}`, max);
      if (!decision.allowed) {
        deps.onLimited?.(ctx);
        throw new RateLimitedError(decision.retryAfter);
      }
      await next();
    };
}

/** `"a=10,b=20"` into a map (config parsing). */
export function parseOverrides(text: string | undefined): Map<string, number> {
  const map = new Map<string, number>();
  for (const part of (text ?? '').split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key && value && /^\d+$/.test(value)) map.set(key, Number(value));
  }
  return map;
}
