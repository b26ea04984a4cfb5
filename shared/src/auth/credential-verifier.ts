import type { AccessTokenVerifier } from './access-token-verifier.ts';
import { API_KEY_PREFIX } from './api-key-format.ts';
import type { ApiKeyVerifier } from './api-key-verifier.ts';

/**
 * What a bearer credential is decides how it is verified: a personal API key (`vak_…`) by the
 * key records, anything else as a JWT access token. A JWT never starts with `vak_` (its first
 * characters are the base64url of `{"`), so neither can pass for the other.
 */
export function createCredentialVerifier(
  tokens: AccessTokenVerifier,
  apiKeys: ApiKeyVerifier,
): AccessTokenVerifier {
  return {
    verify: (credential) =>
      credential.startsWith(API_KEY_PREFIX) ? apiKeys.verify(credential) : tokens.verify(credential),
    expectKeys: (kids) => tokens.expectKeys(kids),
  };
}
