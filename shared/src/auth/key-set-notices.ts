import type { Redis } from '../redis/create-redis.ts';

/**
 * "The signing-key set changed": a Redis pub/sub notice from the auth server, read by its other
 * instances (reconcile with Postgres now) and by resource servers (these `kids` are published:
 * one of them missing from the cached JWKS means the JWKS is stale, refetch it now). The notice
 * names keys; key material only ever comes from the JWKS URI. A missed notice costs time, never
 * correctness: the periodic reconcile and the JWKS refetch cooldown catch up.
 *
 *   channel  vectorauth:signing-keys
 *   message  {"at": <ms>, "kids": ["<kid>", ...]}   (the published keys after the change)
 */
export const KEY_SET_CHANNEL = 'vectorauth:signing-keys';

/** Most kids one notice may name (a key set holds current, next and a few retired keys). */
export const MAX_NOTICE_KIDS = 32;

export async function publishKeySetNotice(redis: Redis, kids: readonly string[]): Promise<void> {
  await redis.publish(KEY_SET_CHANNEL, JSON.stringify({ at: Date.now(), kids }));
}

/** The kids a notice names; an empty list for a message that names none or is not one. */
export function kidsOfNotice(message: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  const kids = (parsed as { kids?: unknown } | null)?.kids;
  if (!Array.isArray(kids)) return [];
  return kids
    .filter((kid): kid is string => typeof kid === 'string' && kid.length > 0 && kid.length <= 256)
    .slice(0, MAX_NOTICE_KIDS);
}

/** Subscribes `subscriber` (a dedicated connection) each time it is ready; calls `onNotice` per notice. */
export function subscribeKeySetNotices(subscriber: Redis, onNotice: (kids: string[]) => void): void {
  const subscribe = () => {
    subscriber.subscribe(KEY_SET_CHANNEL).catch(() => undefined);
  };
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === KEY_SET_CHANNEL) onNotice(kidsOfNotice(message));
  });
}
