import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type CheckedReads, ConflictError, withDbErrors } from '@vectorauth/shared';
import type { Collection, CollectionRow } from './collection.ts';
import { toCollection } from './collection.ts';
import type { CollectionCache } from './collection-cache.ts';
import { type CollectionVersions, collectionVersionKey, publishedVersion } from './collection-versions.ts';
import { DEFAULT_INDEX_SETTINGS, type IndexSettings } from './index-settings.ts';
import type { Metric } from './metric.ts';
import { addUsage, type Quota } from './principal-usage.ts';

export interface NewCollection {
  name: string;
  dimension: number;
  metric: Metric;
  /** Flat unless given. */
  index?: IndexSettings;
}

export interface CollectionRepository {
  create(principal: string, input: NewCollection): Promise<Collection>;
  list(principal: string): Promise<(Collection & { count: number })[]>;
  /** The principal's collection of that name; another principal's is simply not found. */
  find(principal: string, name: string): Promise<Collection | null>;
  /**
   * This instance's cached row of the collection, unconfirmed (it may be stale or deleted): only for
   * work started early whose result is used once `find` returns the same id and version.
   */
  cached(principal: string, name: string): Collection | undefined;
  count(collectionId: string): Promise<number>;
  /** Deletes the collection and (by cascade) its records and tombstones; the removed collection, or null. */
  remove(principal: string, name: string): Promise<Collection | null>;
}

/**
 * What lets a repository answer `find` from memory: the row cache (per process) and the versions
 * every instance publishes. A running service passes both; without them every `find` asks
 * Postgres and nothing is published (a process that no cache depends on: tests, benchmarks).
 */
export interface CollectionCaching {
  cache: CollectionCache;
  versions: CollectionVersions;
  /**
   * Versions this request read from Redis with its token checks (no second round trip); a promise
   * of them while the checks are still in flight (`overlap` in bearer-auth).
   */
  checkedReads?: CheckedReads | Promise<CheckedReads>;
}

const COLUMNS = 'id, principal, name, dimension, metric, index_settings, version, created_at';

/** The collection's published version: as read with the request's token checks, else from Redis. */
async function publishedVersionOf(caching: CollectionCaching, collectionId: string): Promise<number | null> {
  const key = collectionVersionKey(collectionId);
  const read = await caching.checkedReads;
  return read?.has(key) ? publishedVersion(read.get(key) ?? null) : caching.versions.read(collectionId);
}

/**
 * Collections of one request's EntityManager fork; every query is scoped by principal. With
 * `caching`, `find` answers a cached row whose version equals the published one (one Redis GET,
 * no Postgres), and `remove` retires the published version before its delete commits.
 */
export function createCollectionRepository(
  em: EntityManager,
  caching?: CollectionCaching,
  /** The calling client's quota; without one, usage is counted but not limited (import, tools). */
  quota?: Quota,
): CollectionRepository {
  const fromPostgres = async (principal: string, name: string) => {
    const rows = await em.execute<CollectionRow[]>(
      `select ${COLUMNS} from collection where principal = ? and name = ?`,
      [principal, name],
    );
    return rows[0] ? toCollection(rows[0]) : null;
  };
  return {
    create: (principal, input) =>
      withDbErrors(async () => {
        try {
          return await em.transactional(async (tem) => {
            const rows = await tem.execute<CollectionRow[]>(
              `insert into collection (id, principal, name, dimension, metric, index_settings, version)
               values (?, ?, ?, ?, ?, ?::jsonb, 1) returning ${COLUMNS}`,
              [
                randomUUID(),
                principal,
                input.name,
                input.dimension,
                input.metric,
                JSON.stringify(input.index ?? DEFAULT_INDEX_SETTINGS),
              ],
            );
            const created = toCollection(rows[0] as CollectionRow);
            await addUsage(tem, principal, { collections: 1 }, quota);
            await caching?.versions.publish(created.id, created.version);
            return created;
          });
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) {
            throw new ConflictError(`a collection named "${input.name}" already exists`);
          }
          throw err;
        }
      }),
    list: (principal) =>
      withDbErrors(async () => {
        const rows = await em.execute<(CollectionRow & { count: string })[]>(
          `select ${COLUMNS}, c.live_count as count from collection c where principal = ? order by name`,
          [principal],
        );
        return rows.map((row) => ({ ...toCollection(row), count: Number(row.count) }));
      }),
    find: (principal, name) =>
      withDbErrors(async () => {
        if (!caching) return fromPostgres(principal, name);
        const cached = caching.cache.get(principal, name);
        if (cached && (await publishedVersionOf(caching, cached.id)) === cached.version) return cached;
        const found = await fromPostgres(principal, name);
        if (found) caching.cache.set(found);
        else caching.cache.delete(principal, name);
        return found;
      }),
    cached: (principal, name) => caching?.cache.get(principal, name),
    count: (collectionId) =>
      withDbErrors(async () => {
        const rows = await em.execute<{ count: string }[]>(
          'select live_count as count from collection where id = ?',
          [collectionId],
        );
        return Number(rows[0]?.count ?? 0);
      }),
    remove: (principal, name) =>
      withDbErrors(async () => {
        const removed = await em.transactional(async (tem) => {
          // Locked first (as a write to it would), then what it stores leaves the usage with it.
          const stored = await tem.execute<{ vectors: string; bytes: string }[]>(
            `select count(r.id) filter (where r.payload is not null) as vectors,
                    coalesce(sum(octet_length(r.payload)), 0) as bytes
             from (select id from collection where principal = ? and name = ? for update) c
             left join vector_record r on r.collection_id = c.id`,
            [principal, name],
          );
          const rows = await tem.execute<CollectionRow[]>(
            `delete from collection where principal = ? and name = ? returning ${COLUMNS}`,
            [principal, name],
          );
          const row = rows[0] ? toCollection(rows[0]) : null;
          if (row) {
            await addUsage(tem, principal, {
              collections: -1,
              vectors: -Number(stored[0]?.vectors ?? 0),
              bytes: -Number(stored[0]?.bytes ?? 0),
            });
          }
          // Retired before the delete commits: no instance's cached row matches from then on.
          if (row) await caching?.versions.retire([row.id]);
          return row;
        });
        caching?.cache.delete(principal, name);
        return removed;
      }),
  };
}
