import type { Redis } from '@vectorauth/shared';
import { createCoalescedRun } from './coalesced-run.ts';
import { publishKeySetChanged, subscribeKeySetChanged } from './key-set-notices.ts';
import { type KeySetReconcileDeps, publishedKids, reconcileKeySet } from './key-set-reconcile.ts';

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
export function startKeySync(
  deps: KeySetReconcileDeps & {
    /** A dedicated connection for SUBSCRIBE; closed by `close()`. */
    subscriber: Redis;
    intervalMs: number;
  },
): KeySync {
  const { redis, logger } = deps;
  let closed = false;
  const reconciling = createCoalescedRun(
    () => reconcileKeySet(deps),
    () => closed,
  );
  const reconcile = () => reconciling.run();

  const background = () => {
    if (closed) return;
    reconcile().catch((err) => logger.warn({ err }, 'signing keys: reconcile failed; will retry'));
  };
  subscribeKeySetChanged(deps.subscriber, background);
  const timer = setInterval(background, deps.intervalMs).unref();

  return {
    reconcile,
    async announce() {
      await publishKeySetChanged(redis, await publishedKids(deps.store)).catch((err) =>
        logger.warn({ err }, 'signing keys: other instances not notified; they reconcile periodically'),
      );
      await reconcile();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await reconciling.running()?.catch(() => undefined);
      deps.subscriber.disconnect();
    },
  };
}
