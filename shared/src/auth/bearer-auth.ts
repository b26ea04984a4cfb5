import type { Context, Next } from 'koa';
import { InsufficientScopeError, InvalidTokenError } from '../errors/errors.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import type { AccessTokenVerifier } from './access-token-verifier.ts';
import type { RevocationStore } from './revocation-store.ts';

export interface AuthState {
  token: AccessTokenClaims;
}

export interface BearerAuthOptions {
  realm?: string;
  /** When given, every token is checked against the revocation list (one Redis round trip). */
  revocations?: RevocationStore;
}

/**
 * Koa middleware: reads `Authorization: Bearer <jwt>` (RFC 6750; never the query string),
 * verifies it, refuses it when revoked, and puts the claims in `ctx.state.token`. The principal
 * comes from here only. A revocation list that cannot be asked fails closed (503).
 */
export function createBearerAuth(verifier: AccessTokenVerifier, options: BearerAuthOptions = {}) {
  const realm = options.realm ?? 'vector-api';
  return async function bearerAuth(ctx: Context, next: Next): Promise<void> {
    const header = ctx.get('authorization');
    if (!header) throw new InvalidTokenError('an access token is required', realm, false);
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1]) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"', realm);
    const token = await verifier.verify(match[1]);
    if (options.revocations && (await options.revocations.isRevoked(token))) {
      throw new InvalidTokenError('the access token has been revoked', realm);
    }
    ctx.state.token = token;
    await next();
  };
}

/** Koa middleware: 403 insufficient_scope unless the verified token carries `scope`. */
export function requireScope(scope: string, realm = 'vector-api') {
  return async function scopeCheck(ctx: Context, next: Next): Promise<void> {
    const token = (ctx.state as Partial<AuthState>).token;
    if (!token) throw new InvalidTokenError('an access token is required', realm, false);
    if (!token.scopes.has(scope)) throw new InsufficientScopeError(scope, realm);
    await next();
  };
}
