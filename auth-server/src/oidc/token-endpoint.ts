import type { Redis } from '@vectorauth/shared';
import { answerOauthUnavailable } from './oauth-unavailable.ts';
import type { EndpointAction, OidcEndpoint } from './oidc-endpoint.ts';
import type { RefreshRotation } from './refresh-rotation.ts';

/**
 * `POST /token` (oidc-provider's `lib/actions/token.js` and its grant handlers), and what we add:
 * 1. no token is issued while Redis is away: it could not be revoked later (503, Retry-After);
 * 2. refresh-token rotation is all or nothing: a retry within the grace window gets the successor
 *    already issued, and a rotation whose answer failed is undone (refresh-rotation.ts, with the
 *    adapter's `consume`).
 *
 * Around every endpoint, /token included: a grant revoked because a refresh token or code was
 * presented again is marked before the answer leaves (grant-revoked-listener.ts); a Postgres outage
 * is a 503 (oauth-unavailable.ts); tokens issued and refused are counted (oauth-metrics.ts); the
 * per-client rate limit runs before oidc-provider (abuse/auth-rate-limits.ts). What the tokens
 * hold: provider-configuration.ts and resource-servers.ts.
 */
export function tokenEndpoint(deps: { redis: Redis; rotation: RefreshRotation }): OidcEndpoint {
  return {
    route: 'token',
    method: 'POST',
    actions: [refuseWhileRedisIsAway(deps.redis), deps.rotation.middleware],
  };
}

function refuseWhileRedisIsAway(redis: Redis): EndpointAction {
  return async function refuseWhileRedisIsAway(ctx, next) {
    if (redis.status !== 'ready') {
      return answerOauthUnavailable(ctx, 'tokens cannot be issued right now; try again shortly');
    }
    await next();
  };
}
