import type { EntityManager } from '@mikro-orm/postgresql';
import type { Collection } from './collection.ts';
import { recordAddress } from './record-address.ts';
import type { DataKey, RecordCodec } from './record-codec.ts';
import type { VectorInput } from './record-repository.ts';

const ROWS_PER_STATEMENT = 500;

/**
 * Writes `vectors` into `collection` at version `seq`, each encoded under `key`, in statements of
 * at most ROWS_PER_STATEMENT rows; `onProgress` hears the number written after each statement.
 * Runs inside the caller's transaction `tem`, which has already bumped the version. Returns the
 * bytes of the payloads written.
 */
export async function upsertRecords(
  tem: EntityManager,
  codec: RecordCodec,
  collection: Collection,
  seq: number,
  key: DataKey | null,
  vectors: readonly VectorInput[],
  onProgress?: (written: number) => void,
): Promise<number> {
  let bytes = 0;
  for (let start = 0; start < vectors.length; start += ROWS_PER_STATEMENT) {
    const chunk = vectors.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const v of chunk) {
      const payload = codec.encode(
        key,
        { vector: v.vector, metadata: v.metadata },
        recordAddress(collection, v.id, seq),
      );
      params.push(collection.id, v.id, seq, codec.name, payload);
      bytes += payload.length;
    }
    await tem.execute(upsertStatement(chunk), params, 'run');
    onProgress?.(start + chunk.length);
  }
  return bytes;
}

/** One insert of every row of `chunk`; a row whose id exists is replaced (seq, codec, payload). */
const upsertStatement = (chunk: readonly VectorInput[]): string =>
  `insert into vector_record (collection_id, id, seq, codec, payload)
   values ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
   on conflict (collection_id, id) do update
     set seq = excluded.seq, codec = excluded.codec, payload = excluded.payload, updated_at = now()`;
