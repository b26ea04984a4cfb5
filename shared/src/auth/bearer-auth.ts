import type { Context, Next } from 'koa';
import {
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidTokenError,
  RateLimitedError,
  TokenChallengeError,
} from '../errors/errors.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import type { AccessTokenVerifier } from './access-token-verifier.ts';
import { type ChallengeSettings, withChallenges } from './challenge.ts';
import type { DpopProofVerifier } from './dpop-proof.ts';
import type { RequestCheckInput, RequestCheckResult, RequestChecks } from './request-checks.ts';
import type { RevocationStore } from './revocation-store.ts';
import type { TrustedTokens } from './trusted-tokens.ts';

/** The values of a route's `reads`, by key. */
export type CheckedReads = ReadonlyMap<string, string | null>;

export interface AuthState {
  token: AccessTokenClaims;
  /**
   * The values of a route's `reads`, fetched in the same round trip as its token checks; a promise
   * of them while a route that overlaps its checks runs before they are answered.
   */
  checkedReads?: CheckedReads | Promise<CheckedReads>;
  /** True while the handler runs before the token's checks have answered (see `overlap`). */
  checksPending?: boolean;
}

export interface BearerAuthOptions {
  realm?: string;
  /** When given, every token is checked against the revocation list (one Redis round trip). */
  revocations?: RevocationStore;
  /** Instead of `revocations`: a route's checks, all in one Redis round trip (see `RouteChecks`). */
  route?: RouteChecks;
  /** RFC 9728: the resource's metadata URL, named in every challenge (`resource_metadata`). */
  resourceMetadata?: string;
  /**
   * RFC 9449: DPoP-bound tokens accepted as `DPoP <token>` with a proof; the proof's `jti` is
   * remembered in the route's round trip, so `route` is required.
   */
  dpop?: {
    verifier: DpopProofVerifier;
    /** The URL the client addressed (the resource server's public URL and this path): the proof's `htu`. */
    requestUrl(ctx: Context): string;
  };
  /**
   * Tokens whose route checks passed here lately: every route given it records its answers in it.
   * With `overlap`, a read-only route runs its handler for such a bearer token while the checks are
   * still in flight (its answer waits for them: a refusal is answered instead of anything the
   * handler produced or threw), so the Redis round trip and the handler's own work (a search)
   * overlap. DPoP requests never overlap: a replayed proof is not counted by the rate limit.
   */
  trusted?: TrustedTokens;
  overlap?: boolean;
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
  /** The scope the route needs; a function picks it from the token (an endpoint serving several). */
  scope: string | ((token: AccessTokenClaims) => string);
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
 * Koa middleware: reads `Authorization: Bearer <jwt>` (RFC 6750; never the query string) or, when
 * DPoP is accepted, `Authorization: DPoP <jwt>` with its `DPoP` proof (RFC 9449), verifies it,
 * refuses it when revoked (and, given a route's checks, without its scope or over its rate limit),
 * and puts the claims in `ctx.state.token`. The principal comes from here only. A token bound to
 * a key (`cnf.jkt`) is honoured only with a proof by that key, never as a bearer token. Every
 * refusal carries the challenges of `challenge.ts`. A revocation list that cannot be asked fails
 * closed (503).
 */
export function createBearerAuth(verifier: AccessTokenVerifier, options: BearerAuthOptions = {}) {
  const realm = options.realm ?? 'vector-api';
  if (options.dpop && !options.route) throw new TypeError('DPoP needs route checks (its replay cache)');
  const settings: ChallengeSettings = {
    realm,
    ...(options.resourceMetadata ? { resourceMetadata: options.resourceMetadata } : {}),
    ...(options.dpop ? { dpopAlgorithms: options.dpop.verifier.algorithms } : {}),
  };
  const expected = options.dpop ? '"Bearer <token>" or "DPoP <token>"' : '"Bearer <token>"';

  /** Authenticates; resolves to the route's checks still in flight when the handler may overlap them. */
  async function authenticate(
    ctx: Context,
    scheme: { used: 'Bearer' | 'DPoP' },
  ): Promise<{ pending: Promise<void> } | undefined> {
    const header = ctx.get('authorization');
    if (!header) throw new InvalidTokenError('an access token is required', realm, false);
    const match = /^(Bearer|DPoP) ([^\s]+)$/i.exec(header);
    if (!match?.[1] || !match[2])
      throw new InvalidTokenError(`the Authorization header must be ${expected}`, realm);
    const accessToken = match[2];
    scheme.used = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    if (scheme.used === 'DPoP' && !options.dpop)
      throw new InvalidTokenError('DPoP is not accepted here: send "Bearer <token>"', realm);
    const token = await verifier.verify(accessToken);
    let once: RequestCheckInput['once'];
    if (scheme.used === 'Bearer' && token.jkt) {
      throw new InvalidTokenError(
        'this access token is bound to a key: send it as "DPoP <token>" with a DPoP proof',
        realm,
      );
    }
    if (scheme.used === 'DPoP' && options.dpop) {
      if (!token.jkt)
        throw new InvalidTokenError(
          'this access token is not bound to a key: send it as "Bearer <token>"',
          realm,
        );
      const proof = await options.dpop.verifier.verify({
        proofs: ctx.req.headersDistinct.dpop ?? [],
        method: ctx.method,
        url: options.dpop.requestUrl(ctx),
        accessToken,
        jkt: token.jkt,
      });
      once = { key: proof.replayKey, ttlMs: proof.replayTtlMs };
      if (proof.nonce) ctx.set('DPoP-Nonce', proof.nonce);
    }
    if (options.route) {
      const route = options.route;
      const scope = typeof route.scope === 'string' ? route.scope : route.scope(token);
      const overlap = options.overlap && !once && token.scopes.has(scope) && options.trusted?.has(token);
      const checked = routeChecks(ctx, token, route, scope, once);
      if (overlap) {
        // Overlapped: the handler may read the principal and the reads, never answer before these.
        ctx.state.token = token;
        ctx.state.checksPending = true;
        const reads = checked.then(({ reads }) => reads);
        reads.catch(() => {}); // the handler may not ask for them; `checked` is awaited by bearerAuth
        ctx.state.checkedReads = reads;
        // Wrapped: an async function would wait for a promise it returns.
        return {
          pending: checked.then(() => {
            ctx.state.checksPending = false;
          }),
        };
      }
      await checked;
    } else if (options.revocations && (await options.revocations.isRevoked(token))) {
      throw new InvalidTokenError('the access token has been revoked', realm);
    }
    ctx.state.token = token;
    return undefined;
  }

  const challenged = (err: unknown, scheme: { used: 'Bearer' | 'DPoP' }) => {
    if (err instanceof TokenChallengeError) {
      const aboutTheProof = err.code === 'invalid_dpop_proof' || err.code === 'use_dpop_nonce';
      return withChallenges(err, settings, aboutTheProof ? 'DPoP' : scheme.used);
    }
    return err;
  };

  /**
   * The checks of a route, answered in the order `RouteChecks` gives; records the outcome in
   * `trusted`. Resolves to the reads when the request may go on.
   */
  async function routeChecks(
    ctx: Context,
    token: AccessTokenClaims,
    route: RouteChecks,
    scope: string,
    once: RequestCheckInput['once'],
  ): Promise<{ reads: CheckedReads }> {
    const hasScope = token.scopes.has(scope);
    const limit = hasScope ? route.limit?.(token) : undefined;
    const reads = hasScope ? (route.reads?.(ctx, token) ?? []) : [];
    let result: RequestCheckResult;
    try {
      result = await route.checks.run(ctx, token, { limit, reads, ...(once ? { once } : {}) });
    } catch (err) {
      options.trusted?.forget(token);
      throw err;
    }
    const refused = result.revoked || result.replayed || (result.limit && !result.limit.allowed);
    if (refused || !hasScope) options.trusted?.forget(token);
    else options.trusted?.passed(token, result.limit?.remaining);
    if (result.revoked) throw new InvalidTokenError('the access token has been revoked', realm);
    if (result.replayed) throw new InvalidDpopProofError('the DPoP proof has been used before (jti)', realm);
    // Not revoked: the principal is known to what answers and audits a 403 or a 429.
    ctx.state.token = token;
    const values: CheckedReads = new Map(reads.map((key, i) => [key, result.reads[i] ?? null]));
    if (reads.length > 0) ctx.state.checkedReads = values;
    if (!hasScope) throw new InsufficientScopeError(scope, realm);
    if (result.limit && !result.limit.allowed) {
      route.onLimited?.(ctx);
      throw new RateLimitedError(result.limit.retryAfter);
    }
    return { reads: values };
  }

  return async function bearerAuth(ctx: Context, next: Next): Promise<void> {
    const scheme: { used: 'Bearer' | 'DPoP' } = { used: 'Bearer' };
    let overlapped: { pending: Promise<void> } | undefined;
    try {
      overlapped = await authenticate(ctx, scheme);
    } catch (err) {
      throw challenged(err, scheme);
    }
    if (!overlapped) return next();
    const { pending } = overlapped;
    pending.catch(() => {}); // awaited below, after the handler: never an unhandled rejection
    let failed: { err: unknown } | undefined;
    try {
      await next();
    } catch (err) {
      failed = { err };
    }
    try {
      await pending;
    } catch (err) {
      // A refusal is the answer (the error handler replaces any body), whatever the handler did;
      // only a limited token is a known principal afterwards, as when its checks come first.
      if (!(err instanceof RateLimitedError)) ctx.state.token = undefined;
      throw challenged(err, scheme);
    }
    if (failed) throw failed.err;
  };
}
