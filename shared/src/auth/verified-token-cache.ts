import type { AccessTokenClaims } from './access-token-claims.ts';

export interface VerifiedTokenCache {
  /**
   * The claims of `token` when it verified under the key set `generation` and has not expired by
   * the verifier's own rule (`exp` > now - tolerance, in whole seconds as jose counts); otherwise
   * undefined (and a stale entry is dropped).
   */
  get(token: string, generation: number): AccessTokenClaims | undefined;
  /** Remembers a token that has just verified under the key set `generation`. */
  set(token: string, claims: AccessTokenClaims, generation: number): void;
  /** Drops every token signed by a key that `kids` does not name. */
  keepKeys(kids: ReadonlySet<string>): void;
  readonly size: number;
}

interface Entry {
  claims: AccessTokenClaims;
  generation: number;
}

/**
 * Tokens that verified, keyed by the exact compact JWS, at most `capacity` of them (least recently
 * used dropped first). An entry is only as good as the key set it verified under: the verifier
 * bumps the generation whenever it fetches the JWKS, and that drops every entry of the older one.
 * Revocation is not cached here: the caller checks it on every request.
 */
export function createVerifiedTokenCache(options: {
  capacity: number;
  clockToleranceSec: number;
  now?: () => number;
}): VerifiedTokenCache {
  const { capacity, clockToleranceSec } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  return {
    get(token, generation) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      // jose refuses when exp <= floor(now) - tolerance: the same rule, so a hit never outlives it.
      if (
        entry.generation !== generation ||
        entry.claims.exp <= Math.floor(now() / 1000) - clockToleranceSec
      ) {
        entries.delete(token);
        return undefined;
      }
      entries.delete(token);
      entries.set(token, entry);
      return entry.claims;
    },
    set(token, claims, generation) {
      if (capacity < 1) return;
      entries.delete(token);
      entries.set(token, { claims, generation });
      while (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    keepKeys(kids) {
      for (const [token, entry] of entries)
        if (!entry.claims.kid || !kids.has(entry.claims.kid)) entries.delete(token);
    },
    get size() {
      return entries.size;
    },
  };
}
