import type { Logger, Redis, RevocationStore } from '@vectorauth/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import type { KeySet } from './key-set.ts';
import { publishKeySetChanged } from './key-set-notices.ts';
import type { SigningKeyStore } from './signing-key-store.ts';

export interface KeySetReconcileDeps {
  store: SigningKeyStore;
  redis: Redis;
  revocationStore: RevocationStore;
  rotationDays?: number;
  currentVersion: () => string;
  apply: (keySet: KeySet) => void;
  logger: Logger;
  audit: AuditLog;
}

const system = { type: 'system' as const };

/**
 * One pass of the key sync: the scheduled rotation step, retired keys removed, revoked keys
 * written to the revocation list again, the key set applied when Postgres has a newer one; the
 * other instances told when this pass changed the keys.
 */
export async function reconcileKeySet(deps: KeySetReconcileDeps): Promise<void> {
  const rotated = await rotateOnSchedule(deps);
  const removed = await removeExpiredKeys(deps);
  await reassertRevokedKeys(deps);
  await applyNewerKeySet(deps);
  if (rotated || removed)
    await publishKeySetChanged(deps.redis, await publishedKids(deps.store)).catch(() => undefined);
}

/** The kids the JWKS publishes (every key not revoked). */
export async function publishedKids(store: SigningKeyStore): Promise<string[]> {
  return (await store.list()).filter((k) => k.status !== 'revoked').map((k) => k.kid);
}

/** The automatic rotation step (with `rotationDays`), audited; whether it changed a key. */
async function rotateOnSchedule(deps: KeySetReconcileDeps): Promise<boolean> {
  if (!deps.rotationDays) return false;
  const step = await deps.store.rotateOnSchedule(deps.rotationDays);
  if (!step) return false;
  deps.logger.info({ step }, `signing keys: scheduled rotation ${step} a key`);
  const key = (await deps.store.list()).find((k) => k.status === (step === 'staged' ? 'next' : 'current'));
  await deps.audit.record({
    action: step === 'staged' ? 'key.rotated' : 'key.promoted',
    actor: system,
    subject: key && { type: 'key', id: key.kid },
    detail: { scheduled: true },
  });
  return true;
}

/** Removes retired keys whose tokens have all expired, audited; whether there were any. */
async function removeExpiredKeys(deps: KeySetReconcileDeps): Promise<boolean> {
  const removed = await deps.store.removeExpired();
  if (removed.length) deps.logger.info({ kids: removed }, 'signing keys: removed retired keys');
  for (const kid of removed) {
    await deps.audit.record({ action: 'key.removed', actor: system, subject: { type: 'key', id: kid } });
  }
  return removed.length > 0;
}

/** Writes the revoked keys to the revocation list again, so a Redis that lost its data learns them back. */
async function reassertRevokedKeys(deps: KeySetReconcileDeps): Promise<void> {
  if (deps.redis.status !== 'ready') return;
  for (const { kid, denyUntil } of await deps.store.revokedKeys()) {
    await deps.revocationStore.revokeKey(kid, denyUntil.getTime());
  }
}

/** Loads and applies the key set when Postgres holds another version than this instance. */
async function applyNewerKeySet(deps: KeySetReconcileDeps): Promise<void> {
  if ((await deps.store.version()) === deps.currentVersion()) return;
  const keySet = await deps.store.loadKeySet();
  deps.apply(keySet);
  deps.logger.info({ version: keySet.version, current: keySet.current.kid }, 'signing keys: key set loaded');
}
