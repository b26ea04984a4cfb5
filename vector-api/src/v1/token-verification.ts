import {
  type AccessTokenVerifier,
  closeRedis,
  createAccessTokenVerifier,
  createRedis,
  type Logger,
  subscribeKeySetNotices,
} from '@vectorauth/shared';
import type { VectorApiConfig } from '../config.ts';

export interface TokenVerification {
  verifier: AccessTokenVerifier;
  close(): Promise<void>;
}

/**
 * The bearer-token verifier of /v1 (the auth server's JWKS, issuer, audience, algorithms), kept
 * current by the auth server's key-set notices: a key it names verifies on first sight.
 */
export function startTokenVerification(config: VectorApiConfig, logger: Logger): TokenVerification {
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.apiUrl,
    jwksUri: config.jwksUri,
    algorithms: [...config.tokenAlgorithms],
    clockToleranceSec: config.tokenClockSkewSec,
  });
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
