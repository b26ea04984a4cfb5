import { publishKeySetNotice, type Redis, subscribeKeySetNotices } from '@vectorauth/shared';

/**
 * "The signing-key set changed" between auth-server instances and to resource servers (the
 * protocol lives in shared's `key-set-notices.ts`). It carries the published kids as a hint;
 * Postgres is the truth, and a missed notice is caught by the periodic reconcile.
 */
export async function publishKeySetChanged(redis: Redis, kids: readonly string[]): Promise<void> {
  await publishKeySetNotice(redis, kids);
}

/** Subscribes `subscriber` (a dedicated connection) each time it is ready; calls `onNotice` per notice. */
export function subscribeKeySetChanged(subscriber: Redis, onNotice: () => void): void {
  subscribeKeySetNotices(subscriber, () => onNotice());
}
