import type { AccessTokenClaims, RequestChecks, RouteChecks } from '@vectorauth/shared';
import type { Context } from 'koa';

export interface VectorRateLimits {
  /** Requests per principal and scope per window. */
  perPrincipal: number;
  /** Overrides by the route's scope (e.g. `vectors:write` lower than reads). */
  byScope: ReadonlyMap<string, number>;
  /** Overrides by the token's client (a trusted batch job, a noisy integration). */
  byClient: ReadonlyMap<string, number>;
}

/**
 * The vector API's rate limit, as the checks of a v1 route's token (`RouteChecks`: revocation,
 * the route's scope, then this limit, in one Redis round trip): one bucket per principal and
 * route scope; the limit is the client's override, else the scope's, else the default. 429 with
 * Retry-After and RateLimit-* headers. Only requests that pass the revocation and scope checks
 * are counted.
 */
export function createVectorRateLimit(deps: {
  checks: RequestChecks;
  limits: VectorRateLimits;
  onLimited?: (ctx: Context) => void;
}) {
  const { checks, limits, onLimited } = deps;
  return (scope: string | ((token: AccessTokenClaims) => string)): RouteChecks => ({
    checks,
    scope,
    limit: (token) => {
      const counted = typeof scope === 'string' ? scope : scope(token);
      return {
        bucket: `vec:${counted}:${token.sub}`,
        max: limits.byClient.get(token.clientId) ?? limits.byScope.get(counted) ?? limits.perPrincipal,
      };
    },
    onLimited,
  });
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
