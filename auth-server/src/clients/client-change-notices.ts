import type { Redis } from '@vectorauth/shared';

/**
 * "This client changed": a Redis pub/sub notice between auth-server instances, so each drops the
 * client from its cache (client-cache.ts) before its next request. Postgres is the truth; the
 * notice carries no client data.
 *
 *   channel  vectorauth:clients
 *   message  the client id
 */
export const CLIENT_CHANNEL = 'vectorauth:clients';

/** Resolves once Redis has handed the notice to every subscribed instance. */
export async function publishClientChanged(redis: Redis, clientId: string): Promise<void> {
  await redis.publish(CLIENT_CHANNEL, clientId);
}

/**
 * Subscribes `subscriber` (a dedicated connection) each time it is ready. `listening(true)` once
 * the subscription is confirmed, `listening(false)` as soon as the connection is lost (notices
 * sent meanwhile never arrive); `changed` per notice.
 */
export function subscribeClientChanges(
  subscriber: Redis,
  on: { listening(listening: boolean): void; changed(clientId: string): void },
): void {
  const subscribe = () => {
    subscriber
      .subscribe(CLIENT_CHANNEL)
      .then(() => on.listening(subscriber.status === 'ready'))
      .catch(() => on.listening(false));
  };
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('close', () => on.listening(false));
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === CLIENT_CHANNEL) on.changed(message);
  });
}
