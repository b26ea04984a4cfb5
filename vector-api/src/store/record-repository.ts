import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, withDbErrors } from '@vectorauth/shared';
import type { Collection } from './collection.ts';
import type { Encryption } from './encryption.ts';
import type { DataKey, Metadata, PlainRecord, RecordAddress } from './record-codec.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

export interface VectorInput {
  id: string;
  vector: Float32Array;
  metadata: Metadata | null;
}

export interface StoredVector extends PlainRecord {
  id: string;
}

/**
 * Stored rows, still encoded, packed into one buffer so they cross to the index worker in one
 * transfer: row i is `payloads[offsets[i] .. offsets[i+1]]`; an empty range is a tombstone.
 */
export interface PackedRows {
  ids: string[];
  seqs: number[];
  offsets: Float64Array;
  payloads: Uint8Array;
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
  /**
   * The rows written after version `since` (tombstones included) and the version they lead to,
   * from one repeatable-read snapshot. When `since` cannot be replayed forward (tombstones after it
   * were purged, or it is newer than the database) `base` is 0 and every live row is returned.
   */
  changes(collection: Collection, since: number): Promise<ChangeSet>;
}

const ROWS_PER_STATEMENT = 500;
const ROWS_PER_PAGE = 5000;
const gone = () => new NotFoundError('no such collection');

/**
 * Records of one EntityManager fork. Payloads go through the codec under the principal's data
 * key; every write bumps the collection version in the same transaction (the `update` takes the
 * collection row lock, so writers of one collection are serialised in version order) and is
 * acknowledged after commit.
 */
export function createRecordRepository(em: EntityManager, encryption: Encryption): RecordRepository {
  const { codec, keys } = encryption;

  async function bump(tem: EntityManager, collection: Collection): Promise<number> {
    const rows = await tem.execute<{ version: string }[]>(
      'update collection set version = version + 1, updated_at = now() where id = ? and principal = ? returning version',
      [collection.id, collection.principal],
    );
    if (!rows[0]) throw gone();
    return Number(rows[0].version);
  }

  const keyFor = async (tem: EntityManager, principal: string, create: boolean) =>
    keys ? keys.current(tem, principal, { create }) : null;

  const address = (collection: Collection, recordId: string, seq: number): RecordAddress => ({
    principal: collection.principal,
    collectionId: collection.id,
    recordId,
    seq,
  });

  function checkCodec(id: string, rowCodec: string): void {
    if (rowCodec !== codec.name) {
      throw new StoredDataUnreadableError(
        `stored vector "${id}" was written with codec ${rowCodec}; this server reads ${codec.name}`,
      );
    }
  }

  return {
    upsert: (collection, vectors, options = {}) =>
      withDbErrors(() =>
        em.transactional(async (tem) => {
          const seq = await bump(tem, collection);
          const key = await keyFor(tem, collection.principal, true);
          for (let start = 0; start < vectors.length; start += ROWS_PER_STATEMENT) {
            const chunk = vectors.slice(start, start + ROWS_PER_STATEMENT);
            const params: unknown[] = [];
            for (const v of chunk) {
              const payload = codec.encode(
                key,
                { vector: v.vector, metadata: v.metadata },
                address(collection, v.id, seq),
              );
              params.push(collection.id, v.id, seq, codec.name, payload);
            }
            await tem.execute(
              `insert into vector_record (collection_id, id, seq, codec, payload)
               values ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
               on conflict (collection_id, id) do update
                 set seq = excluded.seq, codec = excluded.codec, payload = excluded.payload, updated_at = now()`,
              params,
              'run',
            );
            options.onProgress?.(start + chunk.length);
          }
          return seq;
        }),
      ),
    remove: (collection, id) =>
      withDbErrors(() =>
        em.transactional(async (tem) => {
          const seq = await bump(tem, collection);
          const deleted = await tem.execute<{ id: string }[]>(
            `update vector_record set seq = ?, payload = null, updated_at = now()
             where collection_id = ? and id = ? and payload is not null returning id`,
            [seq, collection.id, id],
          );
          if (!deleted[0]) throw new NotFoundError(`no vector with id "${id}" in this collection`);
          return seq;
        }),
      ),
    get: (collection, id) =>
      withDbErrors(async () => {
        const rows = await em.execute<{ id: string; seq: string; codec: string; payload: Buffer }[]>(
          'select id, seq, codec, payload from vector_record where collection_id = ? and id = ? and payload is not null',
          [collection.id, id],
        );
        const row = rows[0];
        if (!row) return null;
        checkCodec(row.id, row.codec);
        const key = await keyFor(em, collection.principal, false);
        if (codec.keyed && !key) {
          throw new StoredDataUnreadableError(`stored vector "${row.id}" has no data key to open it`);
        }
        return {
          id: row.id,
          ...codec.decode(key, row.payload, address(collection, row.id, Number(row.seq))),
        };
      }),
    changes: (collection, since) =>
      withDbErrors(() =>
        em.transactional(
          async (tem) => {
            const head = await tem.execute<{ version: string; purged_seq: string }[]>(
              'select version, purged_seq from collection where id = ? and principal = ?',
              [collection.id, collection.principal],
            );
            if (!head[0]) throw gone();
            const version = Number(head[0].version);
            const base = since >= Number(head[0].purged_seq) && since <= version ? since : 0;
            const key = await keyFor(tem, collection.principal, false);
            const ids: string[] = [];
            const seqs: number[] = [];
            const parts: Buffer[] = [];
            // A full load pages through the primary key (no sort); a replay pages in (seq, id) order.
            const full = base === 0;
            let after: { seq: number; id: string } | undefined;
            for (;;) {
              const page = await tem.execute<
                { id: string; seq: string; codec: string; payload: Buffer | null }[]
              >(
                full
                  ? `select id, seq, codec, payload from vector_record
                     where collection_id = ? and payload is not null ${after ? 'and id > ?' : ''}
                     order by id limit ${ROWS_PER_PAGE}`
                  : `select id, seq, codec, payload from vector_record
                     where collection_id = ? and seq > ? ${after ? 'and (seq, id) > (?, ?)' : ''}
                     order by seq, id limit ${ROWS_PER_PAGE}`,
                full
                  ? [collection.id, ...(after ? [after.id] : [])]
                  : [collection.id, base, ...(after ? [after.seq, after.id] : [])],
              );
              for (const row of page) {
                if (row.payload) checkCodec(row.id, row.codec);
                ids.push(row.id);
                seqs.push(Number(row.seq));
                parts.push(row.payload ?? Buffer.alloc(0));
              }
              const last = page.at(-1);
              if (!last || page.length < ROWS_PER_PAGE) break;
              after = { seq: Number(last.seq), id: last.id };
            }
            if (codec.keyed && !key && parts.some((p) => p.length > 0)) {
              throw new StoredDataUnreadableError('the stored vectors of this collection have no data key');
            }
            const offsets = new Float64Array(parts.length + 1);
            parts.forEach((p, i) => {
              offsets[i + 1] = (offsets[i] as number) + p.length;
            });
            return { version, base, key, rows: { ids, seqs, offsets, payloads: Buffer.concat(parts) } };
          },
          { isolationLevel: 'repeatable read', readOnly: true },
        ),
      ),
  };
}
