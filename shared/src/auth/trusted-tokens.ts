import type { AccessTokenClaims } from './access-token-claims.ts';

/**
 * Tokens whose route checks (revocation, DPoP replay, rate limit) passed on their last request at
 * this instance, with room left in their limit: the ones a read-only route may start answering
 * while their next checks are still in flight (`BearerAuthOptions.overlap`). A refusal forgets the
 * token, so a revoked, replayed or limited token costs at most one answer computed for nothing and
 * is then checked first again; a stolen token that was never good here costs none. At most
 * `capacity` tokens (least recently passed dropped first), keyed by `jti` (an API key's id).
 */
export interface TrustedTokens {
  has(token: AccessTokenClaims): boolean;
  /** The token's checks passed and its limit has `remaining` requests left (undefined: no limit). */
  passed(token: AccessTokenClaims, remaining: number | undefined): void;
  forget(token: AccessTokenClaims): void;
  readonly size: number;
}

export function createTrustedTokens(capacity = 10_000): TrustedTokens {
  const jtis = new Set<string>();
  return {
    has: (token) => jtis.has(token.jti),
    passed(token, remaining) {
      jtis.delete(token.jti);
      if (remaining !== undefined && remaining < 1) return;
      jtis.add(token.jti);
      if (jtis.size > capacity) jtis.delete(jtis.values().next().value as string);
    },
    forget(token) {
      jtis.delete(token.jti);
    },
    get size() {
      return jtis.size;
    },
  };
}
