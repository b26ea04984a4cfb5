import { type Redis, type ReplicaWait, replicatedWrite, ServiceUnavailableError } from '@vectorauth/shared';

export interface CollectionVersions {
  /**
   * Raises the collection's published version to `version` (never lowers it). Writers call it
   * inside their transaction, after bumping the row and before commit, so every committed version
   * is published before it is acknowledged. Throws 503 when Redis cannot be written: the
   * transaction then rolls back and the write is not made.
   */
  publish(collectionId: string, version: number): Promise<void>;
  /** Forgets deleted collections, inside the deleting transaction (503 when Redis cannot be written). */
  retire(collectionIds: readonly string[]): Promise<void>;
  /** The published version; null when none is published or Redis cannot answer (ask Postgres). */
  read(collectionId: string): Promise<number | null>;
}

/** The Redis key of a collection's published version (for a caller that reads it in its own round trip). */
export const collectionVersionKey = (collectionId: string): string => `cv:${collectionId}`;

/** A version value as read from Redis: null when none is published. */
export const publishedVersion = (value: string | null): number | null =>
  value === null ? null : Number(value);

/**
 * The collection-version protocol between vector-api instances: the only module that knows its
 * Redis key layout.
 *
 *   cv:<collectionId>   the collection's newest version, published before it commits; only rises
 *
 * A cached collection row is current when its version equals this key: every committed version is
 * at most the key (published first), so equal means nothing newer committed. A missing key (never
 * published, deleted, lost with Redis) means "ask Postgres"; a key ahead of Postgres (its write
 * rolled back) costs a Postgres read until the next write catches up, never a stale answer.
 */
export function createCollectionVersions(
  redis: Redis,
  wait: ReplicaWait = { replicas: 0 },
): CollectionVersions {
  const key = collectionVersionKey;
  const unavailable = () =>
    new ServiceUnavailableError('the collection version cannot be published; nothing was written', 'redis');
  return {
    async publish(collectionId, version) {
      try {
        // On `wait.replicas` replicas before the commit: a failover cannot bring back an older
        // version that an instance's cached row still matches.
        await replicatedWrite(redis, wait, (p) =>
          p.eval(
            `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
             if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end
             return 1`,
            1,
            key(collectionId),
            String(version),
          ),
        );
      } catch {
        throw unavailable();
      }
    },
    async retire(collectionIds) {
      if (collectionIds.length === 0) return;
      try {
        await redis.del(collectionIds.map(key));
      } catch {
        throw unavailable();
      }
    },
    async read(collectionId) {
      try {
        return publishedVersion(await redis.get(key(collectionId)));
      } catch {
        return null;
      }
    },
  };
}
