import type { Logger, Redis, RevocationStore } from '@vectorauth/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import type { KeySet } from './key-set.ts';
import { publishKeySetChanged, subscribeKeySetChanged } from './key-set-notices.ts';
import type { SigningKeyStore } from './signing-key-store.ts';

export interface KeySync {
  /** Reconciles now (coalesced with one already running); resolves when this instance is up to date. */
  reconcile(): Promise<void>;
  /**
   * After a change made here (committed): tell the other instances and the resource servers
   * which keys are published now, then reconcile. Telling first means a resource server already
   * expects a new key when the first token it signed arrives.
   */
  announce(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keeps this instance's key set equal to Postgres: on every Redis notice and every `intervalMs`.
 * Each reconcile also runs the automatic rotation step (when `rotationDays` is set), removes
 * retired keys whose tokens have all expired, and writes the revoked keys to the revocation list
 * again (so a Redis that lost its data learns them back). A changed key set goes to `apply`.
 */
export function startKeySync(deps: {
  store: SigningKeyStore;
  redis: Redis;
  /** A dedicated connection for SUBSCRIBE; closed by `close()`. */
  subscriber: Redis;
  revocationStore: RevocationStore;
  intervalMs: number;
  rotationDays?: number;
  currentVersion: () => string;
  apply: (keySet: KeySet) => void;
  logger: Logger;
  audit: AuditLog;
}): KeySync {
  const { store, redis, revocationStore, logger, audit } = deps;
  const system = { type: 'system' as const };
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function once(): Promise<void> {
    let changed = false;
    if (deps.rotationDays) {
      const step = await store.rotateOnSchedule(deps.rotationDays);
      if (step) {
        logger.info({ step }, `signing keys: scheduled rotation ${step} a key`);
        const key = (await store.list()).find((k) => k.status === (step === 'staged' ? 'next' : 'current'));
        await audit.record({
          action: step === 'staged' ? 'key.rotated' : 'key.promoted',
          actor: system,
          subject: key && { type: 'key', id: key.kid },
          detail: { scheduled: true },
        });
      }
      changed ||= Boolean(step);
    }
    const removed = await store.removeExpired();
    if (removed.length) logger.info({ kids: removed }, 'signing keys: removed retired keys');
    for (const kid of removed) {
      await audit.record({ action: 'key.removed', actor: system, subject: { type: 'key', id: kid } });
    }
    changed ||= removed.length > 0;
    if (redis.status === 'ready') {
      for (const { kid, denyUntil } of await store.revokedKeys()) {
        await revocationStore.revokeKey(kid, denyUntil.getTime());
      }
    }
    if ((await store.version()) !== deps.currentVersion()) {
      const keySet = await store.loadKeySet();
      deps.apply(keySet);
      logger.info({ version: keySet.version, current: keySet.current.kid }, 'signing keys: key set loaded');
    }
    if (changed) await publishKeySetChanged(redis, await publishedKids()).catch(() => undefined);
  }

  async function publishedKids(): Promise<string[]> {
    return (await store.list()).filter((k) => k.status !== 'revoked').map((k) => k.kid);
  }

  function reconcile(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await once();
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const background = () => {
    if (closed) return;
    reconcile().catch((err) => logger.warn({ err }, 'signing keys: reconcile failed; will retry'));
  };
  subscribeKeySetChanged(deps.subscriber, background);
  const timer = setInterval(background, deps.intervalMs).unref();

  return {
    reconcile,
    async announce() {
      await publishKeySetChanged(redis, await publishedKids()).catch((err) =>
        logger.warn({ err }, 'signing keys: other instances not notified; they reconcile periodically'),
      );
      await reconcile();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      deps.subscriber.disconnect();
    },
  };
}
