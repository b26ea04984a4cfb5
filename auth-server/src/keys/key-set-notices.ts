import type { Redis } from '@vectorauth/shared';

/**
 * "The signing-key set changed": a Redis pub/sub notice between auth-server instances. It carries
 * nothing but a hint to reconcile now; Postgres is the truth, and a missed notice is caught by the
 * periodic reconcile.
 */
export const KEY_SET_CHANNEL = 'vectorauth:signing-keys';

export async function publishKeySetChanged(redis: Redis): Promise<void> {
  await redis.publish(KEY_SET_CHANNEL, String(Date.now()));
}

/** Subscribes `subscriber` (a dedicated connection) each time it is ready; calls `onNotice` per notice. */
export function subscribeKeySetChanged(subscriber: Redis, onNotice: () => void): void {
  const subscribe = () => {
    subscriber.subscribe(KEY_SET_CHANNEL).catch(() => undefined);
  };
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('message', (channel: string) => {
    if (channel === KEY_SET_CHANNEL) onNotice();
  });
}
