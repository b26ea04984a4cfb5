import type { AuthServerConfig } from '../config.ts';
import type { KeyTimings } from './public-key-info.ts';

/**
 * Key lifecycle timings from the configuration: a retired key stays published while any token it
 * signed can be alive (longest token lifetime, plus the sync interval during which another
 * instance may still sign with it, plus clock skew); a revoked key is denied at resource servers
 * at least a day, well past any JWKS cache that may still hold it.
 */
export function keyTimings(config: Pick<AuthServerConfig, 'keys' | 'tokens'>): KeyTimings {
  const retentionSec =
    Math.max(config.tokens.accessTokenTtl, config.tokens.idTokenTtl) +
    config.keys.syncIntervalSec +
    config.keys.removalGraceSec;
  return {
    publishWaitSec: config.keys.publishWaitSec,
    retentionSec,
    denySec: Math.max(retentionSec, 86_400),
  };
}
