import type { Context, Next } from 'koa';
import { InsufficientScopeError, InvalidTokenError, RateLimitedError } from '../errors/errors.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import type { AccessTokenVerifier } from './access-token-verifier.ts';
import type { RequestChecks } from './request-checks.ts';
import type { RevocationStore } from './revocation-store.ts';

export interface AuthState {
  token: AccessTokenClaims;
  /** The values of a route's `reads`, fetched in the same round trip as its token checks. */
  checkedReads?: ReadonlyMap<string, string | null>;
}

export interface BearerAuthOptions {
  realm?: string;
  /** When given, every token is checked against the revocation list (one Redis round trip). */
  revocations?: RevocationStore;
  /** Instead of `revocations`: a route's checks, all in one Redis round trip (see `RouteChecks`). */
  route?: RouteChecks;
}

/**
 * What a route asks of a verified token, in this order of answers: revoked is 401 (even when the
 * scope is missing or the limit spent), a missing scope 403, a spent limit 429 with Retry-After.
 * One Redis command (`RequestChecks`) asks the revocation marks and counts the request. Only a
 * request with an unrevoked token carrying the scope is counted: neither a revoked (stolen) token
 * nor a token of the same principal without the scope (another app of the same user) can spend
 * the principal's limit. The scope needs no Redis, so it is known before the round trip.
 */
export interface RouteChecks {
  checks: RequestChecks;
  scope: string;
  /** The bucket and limit this request counts against. */
  limit?: (token: AccessTokenClaims) => { bucket: string; max: number };
  /** Told of each refused request (a log line, a metric). */
  onLimited?: (ctx: Context) => void;
  /**
   * Further keys the route will read from Redis, fetched in the same round trip; their values are
   * in `ctx.state.checkedReads` (asked only for a token that carries the scope).
   */
  reads?: (ctx: Context, token: AccessTokenClaims) => readonly string[];
}

/**
 * Koa middleware: reads `Authorization: Bearer <jwt>` (RFC 6750; never the query string),
 * verifies it, refuses it when revoked (and, given a route's checks, without its scope or over
 * its rate limit), and puts the claims in `ctx.state.token`. The principal comes from here only.
 * A revocation list that cannot be asked fails closed (503).
 */
export function createBearerAuth(verifier: AccessTokenVerifier, options: BearerAuthOptions = {}) {
  const realm = options.realm ?? 'vector-api';
  return async function bearerAuth(ctx: Context, next: Next): Promise<void> {
    const header = ctx.get('authorization');
    if (!header) throw new InvalidTokenError('an access token is required', realm, false);
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1]) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"', realm);
    const token = await verifier.verify(match[1]);
    if (options.route) {
      await routeChecks(ctx, token, options.route, realm);
    } else if (options.revocations && (await options.revocations.isRevoked(token))) {
      throw new InvalidTokenError('the access token has been revoked', realm);
    }
    ctx.state.token = token;
    await next();
  };
}

async function routeChecks(ctx: Context, token: AccessTokenClaims, route: RouteChecks, realm: string) {
  const hasScope = token.scopes.has(route.scope);
  const limit = hasScope ? route.limit?.(token) : undefined;
  const reads = hasScope ? (route.reads?.(ctx, token) ?? []) : [];
  const result = await route.checks.run(ctx, token, { limit, reads });
  if (result.revoked) throw new InvalidTokenError('the access token has been revoked', realm);
  // Not revoked: the principal is known to what answers and audits a 403 or a 429.
  ctx.state.token = token;
  if (reads.length > 0)
    ctx.state.checkedReads = new Map(reads.map((key, i) => [key, result.reads[i] ?? null]));
  if (!hasScope) throw new InsufficientScopeError(route.scope, realm);
  if (result.limit && !result.limit.allowed) {
    route.onLimited?.(ctx);
    throw new RateLimitedError(result.limit.retryAfter);
  }
}
