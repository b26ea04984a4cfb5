import {
  type AccessTokenVerifier,
  closeRedis,
  createAccessTokenVerifier,
  createApiKeyRecords,
  createApiKeyVerifier,
  createCredentialVerifier,
  createRedis,
  type Logger,
  type Redis,
  subscribeKeySetNotices,
} from '@vectorauth/shared';
import type { VectorApiConfig } from '../config.ts';

export interface TokenVerification {
  verifier: AccessTokenVerifier;
  close(): Promise<void>;
}

/**
 * The bearer-credential verifier of /v1: JWT access tokens (the auth server's JWKS, issuer,
 * audience, algorithms), kept current by the auth server's key-set notices so that a key it names
 * verifies on first sight; and personal API keys, whose records the auth server publishes in Redis.
 */
export function startTokenVerification(
  config: VectorApiConfig,
  redis: Redis,
  logger: Logger,
): TokenVerification {
  const tokens = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.apiUrl,
    jwksUri: config.jwksUri,
    algorithms: [...config.tokenAlgorithms],
    clockToleranceSec: config.tokenClockSkewSec,
  });
  const apiKeys = createApiKeyVerifier({ records: createApiKeyRecords(redis) });
  const verifier = createCredentialVerifier(tokens, apiKeys);
  const notices = createRedis(config.redisUrl, 'vector-api-key-notices', logger);
  subscribeKeySetNotices(notices, (kids) => verifier.expectKeys(kids));
  return {
    verifier,
    async close() {
      notices.removeAllListeners('message');
      await closeRedis(notices);
    },
  };
}
