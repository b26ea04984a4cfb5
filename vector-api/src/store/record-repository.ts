import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, withDbErrors } from '@vectorauth/shared';
import { checkRowCodec } from './check-row-codec.ts';
import type { Collection } from './collection.ts';
import type { CollectionCaching } from './collection-repository.ts';
import { currentDataKey } from './current-data-key.ts';
import type { Encryption } from './encryption.ts';
import type { PackedRows } from './packed-rows.ts';
import { addUsage, type Quota } from './principal-usage.ts';
import { recordAddress } from './record-address.ts';
import { readChanges } from './record-changes.ts';
import type { DataKey, Metadata, PlainRecord } from './record-codec.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';
import { upsertRecords } from './upsert-records.ts';

interface StoredRow {
  id: string;
  seq: string;
  codec: string;
  payload: Buffer;
}

export interface VectorInput {
  id: string;
  vector: Float32Array;
  metadata: Metadata | null;
}

export interface StoredVector extends PlainRecord {
  id: string;
}

/** Every change needed to bring an index at version `base` to `version`, read consistently. */
export interface ChangeSet {
  version: number;
  /** `since` when that snapshot version can be replayed forward, otherwise 0 (a full load). */
  base: number;
  /** The principal's data key (null when it has none, or with the plaintext codec). */
  key: DataKey | null;
  rows: PackedRows;
}

export interface UpsertOptions {
  /** Called after each statement with the number of vectors written so far. */
  onProgress?: (written: number) => void;
}

export interface RecordRepository {
  /** Inserts or replaces every vector in one transaction; returns the collection's new version. */
  upsert(collection: Collection, vectors: readonly VectorInput[], options?: UpsertOptions): Promise<number>;
  /** Deletes one vector (leaving a tombstone); the new version; NotFoundError when there is none. */
  remove(collection: Collection, id: string): Promise<number>;
  get(collection: Collection, id: string): Promise<StoredVector | null>;
  /** Up to `limit` live vectors with ids after `after` (all when null), in id order. */
  page(collection: Collection, after: string | null, limit: number): Promise<StoredVector[]>;
  /**
   * The rows written after version `since` (tombstones included) and the version they lead to,
   * from one repeatable-read snapshot. When `since` cannot be replayed forward (tombstones after it
   * were purged, or it is newer than the database) `base` is 0 and every live row is returned.
   */
  changes(collection: Collection, since: number): Promise<ChangeSet>;
}

/**
 * Records of one EntityManager fork. Payloads go through the codec under the principal's data
 * key; every write bumps the collection version in the same transaction (the `update` takes the
 * collection row lock, so writers of one collection are serialised in version order), publishes
 * that version for every instance's collection cache before commit (`caching`; a publish that
 * fails rolls the write back: 503, nothing written) and is acknowledged after commit.
 */
export function createRecordRepository(
  em: EntityManager,
  encryption: Encryption,
  caching?: CollectionCaching,
  /** The calling client's quota; without one, usage is counted but not limited (import, tools). */
  quota?: Quota,
): RecordRepository {
  const { codec, keys } = encryption;
  /** Opens stored rows under the principal's data key (each bound to its address). */
  const decodeRows = async (collection: Collection, rows: StoredRow[]): Promise<StoredVector[]> => {
    if (rows.length === 0) return [];
    const key = await currentDataKey(keys, em, collection.principal, false);
    return rows.map((row) => {
      checkRowCodec(codec, row.id, row.codec);
      if (codec.keyed && !key) {
        throw new StoredDataUnreadableError(`stored vector "${row.id}" has no data key to open it`);
      }
      return {
        id: row.id,
        ...codec.decode(key, row.payload, recordAddress(collection, row.id, Number(row.seq))),
      };
    });
  };
  /** Runs `write` (which bumps the version) in one transaction, publishing the version before commit. */
  const versioned = async (collection: Collection, write: (tem: EntityManager) => Promise<number>) => {
    const seq = await withDbErrors(() =>
      em.transactional(async (tem) => {
        const version = await write(tem);
        await caching?.versions.publish(collection.id, version);
        return version;
      }),
    );
    caching?.cache.set({ ...collection, version: seq });
    return seq;
  };
  return {
    upsert: (collection, vectors, options = {}) =>
      versioned(collection, async (tem) => {
        const seq = await bumpVersion(tem, collection);
        const key = await currentDataKey(keys, tem, collection.principal, true);
        const before = await storedSizes(
          tem,
          collection,
          vectors.map((v) => v.id),
        );
        const bytes = await upsertRecords(tem, codec, collection, seq, key, vectors, options.onProgress);
        await addUsage(
          tem,
          collection.principal,
          { vectors: vectors.length - before.count, bytes: bytes - before.bytes },
          quota,
        );
        await addLiveCount(tem, collection, vectors.length - before.count);
        return seq;
      }),
    remove: (collection, id) =>
      versioned(collection, async (tem) => {
        const seq = await bumpVersion(tem, collection);
        const before = await storedSizes(tem, collection, [id]);
        const deleted = await tem.execute<{ id: string }[]>(
          `update vector_record set seq = ?, payload = null, updated_at = now()
           where collection_id = ? and id = ? and payload is not null returning id`,
          [seq, collection.id, id],
        );
        if (!deleted[0]) throw new NotFoundError(`no vector with id "${id}" in this collection`);
        await addUsage(tem, collection.principal, { vectors: -before.count, bytes: -before.bytes });
        await addLiveCount(tem, collection, -before.count);
        return seq;
      }),
    get: (collection, id) =>
      withDbErrors(async () => {
        const rows = await em.execute<StoredRow[]>(
          'select id, seq, codec, payload from vector_record where collection_id = ? and id = ? and payload is not null',
          [collection.id, id],
        );
        return rows[0] ? ((await decodeRows(collection, rows))[0] ?? null) : null;
      }),
    page: (collection, after, limit) =>
      withDbErrors(async () => {
        // Keyset order on the primary key (collection_id, id): a vector that lives through a whole
        // listing is on exactly one page, whatever is written meanwhile.
        const rows = await em.execute<StoredRow[]>(
          `select id, seq, codec, payload from vector_record
           where collection_id = ? and payload is not null${after === null ? '' : ' and id > ?'}
           order by id limit ?`,
          after === null ? [collection.id, limit] : [collection.id, after, limit],
        );
        return decodeRows(collection, rows);
      }),
    changes: (collection, since) =>
      withDbErrors(() =>
        em.transactional((tem) => readChanges(tem, encryption, collection, since), {
          isolationLevel: 'repeatable read',
          readOnly: true,
        }),
      ),
  };
}

/**
 * How many of `ids` are live in the collection and the bytes of their payloads, read inside the
 * write's transaction (which holds the collection's row lock, so they cannot change meanwhile).
 */
async function storedSizes(
  tem: EntityManager,
  collection: Collection,
  ids: readonly string[],
): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for (let start = 0; start < ids.length; start += 1000) {
    const rows = await tem.execute<{ count: string; bytes: string }[]>(
      `select count(*) as count, coalesce(sum(octet_length(payload)), 0) as bytes from vector_record
       where collection_id = ? and payload is not null and id in (?)`,
      [collection.id, ids.slice(start, start + 1000)],
    );
    count += Number(rows[0]?.count ?? 0);
    bytes += Number(rows[0]?.bytes ?? 0);
  }
  return { count, bytes };
}

/**
 * Bumps the collection's version inside `tem`, taking its row lock (so writers of one collection
 * are serialised in version order); the new version is the seq of the rows the write touches.
 */
async function bumpVersion(tem: EntityManager, collection: Collection): Promise<number> {
  const rows = await tem.execute<{ version: string }[]>(
    'update collection set version = version + 1, updated_at = now() where id = ? and principal = ? returning version',
    [collection.id, collection.principal],
  );
  if (!rows[0]) throw new NotFoundError('no such collection');
  return Number(rows[0].version);
}

/** Adds `delta` to the collection's live count, under the row lock `bumpVersion` took. */
async function addLiveCount(tem: EntityManager, collection: Collection, delta: number): Promise<void> {
  if (delta === 0) return;
  await tem.execute('update collection set live_count = live_count + ? where id = ?', [delta, collection.id]);
}
