import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '@vectorauth/shared';
import type { Collection } from './collection.ts';
import type { Metadata, PlainRecord, RecordCodec } from './record-codec.ts';
import { withDbErrors } from './translate-db-error.ts';

export interface VectorInput {
  id: string;
  vector: Float32Array;
  metadata: Metadata | null;
}

export interface StoredVector extends PlainRecord {
  id: string;
}

/** Every record of a collection at one version, in a stable order (for building an index). */
export interface CollectionSnapshot {
  version: number;
  ids: string[];
  /** ids.length x dimension float32 values, row-major. */
  vectors: Float32Array;
  metadata: (Metadata | null)[];
}

export interface RecordRepository {
  /** Inserts or replaces every vector in one transaction; returns the collection's new version. */
  upsert(collection: Collection, vectors: readonly VectorInput[]): Promise<number>;
  /** Deletes one vector; returns the new version; NotFoundError when there is no such vector. */
  remove(collection: Collection, id: string): Promise<number>;
  get(collection: Collection, id: string): Promise<StoredVector | null>;
  /** Reads the collection's version and records from one consistent snapshot. */
  snapshot(collection: Collection): Promise<CollectionSnapshot>;
}

const ROWS_PER_STATEMENT = 500;
const gone = () => new NotFoundError('no such collection');

/**
 * Records of one request's EntityManager fork. Payloads go through the RecordCodec; every write
 * bumps the collection version in the same transaction and is acknowledged after commit.
 */
export function createRecordRepository(em: EntityManager, codec: RecordCodec): RecordRepository {
  async function bump(tem: EntityManager, collection: Collection): Promise<number> {
    const rows = await tem.execute<{ version: string }[]>(
      'update collection set version = version + 1, updated_at = now() where id = ? and principal = ? returning version',
      [collection.id, collection.principal],
    );
    if (!rows[0]) throw gone();
    return Number(rows[0].version);
  }

  return {
    upsert: (collection, vectors) =>
      withDbErrors(async () => {
        const principalCodec = await codec.forPrincipal(collection.principal);
        return em.transactional(async (tem) => {
          const seq = await bump(tem, collection);
          for (let start = 0; start < vectors.length; start += ROWS_PER_STATEMENT) {
            const chunk = vectors.slice(start, start + ROWS_PER_STATEMENT);
            const params: unknown[] = [];
            for (const v of chunk) {
              const payload = principalCodec.encode(
                { vector: v.vector, metadata: v.metadata },
                { principal: collection.principal, collectionId: collection.id, recordId: v.id, seq },
              );
              params.push(
                collection.id,
                v.id,
                seq,
                codec.name,
                Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
              );
            }
            await tem.execute(
              `insert into vector_record (collection_id, id, seq, codec, payload)
               values ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
               on conflict (collection_id, id) do update
                 set seq = excluded.seq, codec = excluded.codec, payload = excluded.payload, updated_at = now()`,
              params,
              'run',
            );
          }
          return seq;
        });
      }),
    remove: (collection, id) =>
      withDbErrors(() =>
        em.transactional(async (tem) => {
          const seq = await bump(tem, collection);
          const deleted = await tem.execute<{ id: string }[]>(
            'delete from vector_record where collection_id = ? and id = ? returning id',
            [collection.id, id],
          );
          if (!deleted[0]) throw new NotFoundError(`no vector with id "${id}" in this collection`);
          return seq;
        }),
      ),
    get: (collection, id) =>
      withDbErrors(async () => {
        const rows = await em.execute<{ id: string; seq: string; payload: Buffer }[]>(
          'select id, seq, payload from vector_record where collection_id = ? and id = ?',
          [collection.id, id],
        );
        const row = rows[0];
        if (!row) return null;
        const principalCodec = await codec.forPrincipal(collection.principal);
        const address = {
          principal: collection.principal,
          collectionId: collection.id,
          recordId: row.id,
          seq: Number(row.seq),
        };
        return { id: row.id, ...principalCodec.decode(row.payload, address) };
      }),
    snapshot: (collection) =>
      withDbErrors(async () => {
        const principalCodec = await codec.forPrincipal(collection.principal);
        return em.transactional(
          async (tem) => {
            const head = await tem.execute<{ version: string }[]>(
              'select version from collection where id = ? and principal = ?',
              [collection.id, collection.principal],
            );
            if (!head[0]) throw gone();
            const rows = await tem.execute<{ id: string; seq: string; payload: Buffer }[]>(
              'select id, seq, payload from vector_record where collection_id = ? order by seq, id',
              [collection.id],
            );
            const d = collection.dimension;
            const vectors = new Float32Array(rows.length * d);
            const ids: string[] = [];
            const metadata: (Metadata | null)[] = [];
            rows.forEach((row, i) => {
              const address = {
                principal: collection.principal,
                collectionId: collection.id,
                recordId: row.id,
                seq: Number(row.seq),
              };
              const record = principalCodec.decode(row.payload, address);
              if (record.vector.length !== d) throw new Error(`record ${row.id} has the wrong dimension`);
              vectors.set(record.vector, i * d);
              ids.push(row.id);
              metadata.push(record.metadata);
            });
            return { version: Number(head[0].version), ids, vectors, metadata };
          },
          { isolationLevel: 'repeatable read', readOnly: true },
        );
      }),
  };
}
