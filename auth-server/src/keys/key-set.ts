import type { JWK } from 'jose';

/** The published signing keys as one instance serves them: what a Provider is built from. */
export interface KeySet {
  /** Changes whenever a key is published, unpublished or starts signing (`kid:status`, sorted). */
  version: string;
  /** The key that signs. */
  current: { kid: string; alg: string };
  /** Private JWKs for oidc-provider: `current` first (it signs), then `next`, then `retired`. */
  privateJwks: JWK[];
  /** The same keys without their private parts (what `/jwks` serves). */
  publicJwks: JWK[];
  /** The JWS algorithms of the published keys, the current key's first. */
  algs: string[];
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'] as const;

export function publicPart(jwk: JWK): JWK {
  const pub: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete pub[member];
  return pub as JWK;
}

/** `kid:status` of the published keys, sorted: equal versions mean equal key sets. */
export function keySetVersion(rows: readonly { kid: string; status: string }[]): string {
  return rows
    .map(({ kid, status }) => `${kid}:${status}`)
    .sort()
    .join(',');
}
