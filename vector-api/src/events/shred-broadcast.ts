import { closeRedis, type Logger, type Redis } from '@vectorauth/shared';

/** Pub/sub channel on which an instance tells the others that a principal was crypto-shredded. */
export const SHREDDED_CHANNEL = 'vectorauth:vector-api:principal-shredded';

export interface ShredBroadcast {
  /** Tells every instance (this one too) to forget the principal's cached keys, indexes and snapshots. */
  announce(principal: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The in-memory side of crypto-shredding across instances. Correctness does not depend on it
 * (every use of a cached data key is checked against its row, and a shredded principal's
 * collections are gone from Postgres), but without it other instances would keep the key and a
 * decrypted index in memory, and snapshot files on disk, until evicted or swept.
 */
export function createShredBroadcast(deps: {
  publisher: Redis;
  /** A dedicated connection (from `createRedis`); closed by `close()`. */
  subscriber: Redis;
  forget(principal: string): Promise<void>;
  logger: Logger;
}): ShredBroadcast {
  const { publisher, subscriber, logger } = deps;
  const subscribe = () =>
    void subscriber.subscribe(SHREDDED_CHANNEL).catch((err: unknown) => {
      logger.warn({ err: String(err) }, 'shred broadcast: cannot subscribe yet');
    });
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('message', (channel: string, principal: string) => {
    if (channel !== SHREDDED_CHANNEL || !principal) return;
    deps
      .forget(principal)
      .catch((err: unknown) => logger.error({ err }, 'shred broadcast: forgetting failed'));
  });
  return {
    async announce(principal) {
      try {
        await publisher.publish(SHREDDED_CHANNEL, principal);
      } catch (err) {
        logger.warn(
          { err: String(err) },
          'shred broadcast: not announced; other instances forget the principal when their caches evict it',
        );
      }
    },
    async close() {
      subscriber.removeAllListeners('message');
      await closeRedis(subscriber);
    },
  };
}
