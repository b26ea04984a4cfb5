import {
  createRedis,
  createRevocationStore,
  type Logger,
  type MasterKeyring,
  type MikroORM,
  type Redis,
} from '@vectorauth/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthServerConfig } from '../config.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import { type KeySync, startKeySync } from './key-sync.ts';
import { keyTimings } from './key-timings.ts';
import { createSigningKeyStore, type SigningKeyStore } from './signing-key-store.ts';

/**
 * The signing keys, live: makes sure a `current` key exists (the first start of an installation
 * generates it), builds the first Provider from the published keys, then keeps the holder's
 * Provider in step with Postgres (key sync: Redis notices, the interval, scheduled rotation).
 */
export async function startLiveSigningKeys(deps: {
  config: Pick<AuthServerConfig, 'keys' | 'tokens' | 'redisUrl' | 'redisWaitReplicas'>;
  orm: MikroORM;
  redis: Redis;
  keyring: MasterKeyring;
  holder: ProviderHolder;
  logger: Logger;
  audit: AuditLog;
}): Promise<{ keys: SigningKeyStore; keySync: KeySync }> {
  const { config, orm, redis, holder, logger } = deps;
  const keys = createSigningKeyStore({
    orm,
    keyring: deps.keyring,
    alg: config.keys.alg,
    timings: keyTimings(config),
  });
  await keys.ensureCurrent();
  holder.swap(await keys.loadKeySet());
  const keySync = startKeySync({
    store: keys,
    redis,
    subscriber: createRedis(config.redisUrl, 'auth-server-keys', logger),
    revocationStore: createRevocationStore(redis, { replicas: config.redisWaitReplicas }),
    intervalMs: config.keys.syncIntervalSec * 1000,
    rotationDays: config.keys.rotationDays,
    currentVersion: () => holder.live().keySet.version,
    apply: (keySet) => holder.swap(keySet),
    logger,
    audit: deps.audit,
  });
  return { keys, keySync };
}
