import { exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';
import { type KeySet, publicPart } from '../../src/keys/key-set.ts';
import { createMemoryAdapter } from './memory-adapter.ts';

/** A key set of one ES256 key named `kid`, shaped as the signing-key store hands it over. */
export async function testKeySet(kid: string): Promise<KeySet> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    version: `${kid}:current`,
    current: { kid, alg: 'ES256' },
    privateJwks: [jwk],
    publicJwks: [publicPart(jwk)],
    algs: ['ES256'],
  };
}

/**
 * A Provider built from `keySet` as the auth server builds one, reduced to what tells two apart
 * (their keys): in memory, no pages of its own.
 */
export function buildTestProvider(keySet: KeySet, issuer = 'http://127.0.0.1:1'): Provider {
  return new Provider(issuer, {
    adapter: createMemoryAdapter(),
    jwks: { keys: keySet.privateJwks },
    cookies: { keys: ['test-provider'] },
    features: { devInteractions: { enabled: false } },
  });
}
