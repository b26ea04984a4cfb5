import { codecByName } from '../store/codec-by-name.ts';
import type { PackedRows } from '../store/packed-rows.ts';
import type { DataKey, Metadata } from '../store/record-codec.ts';
import { StoredDataUnreadableError } from '../store/stored-data-errors.ts';
import type { IndexRequest } from './index-protocol.ts';

const RECORD_OVERHEAD = 64;

/** Estimated bytes a record takes in the worker besides its vector (id, metadata, bookkeeping). */
export const sizeOf = (id: string, metadataBytes: number) => RECORD_OVERHEAD + id.length * 2 + metadataBytes;

/** Decrypts and decodes packed rows: the live records, and the ids of every row (tombstones too). */
export function decodeRows(
  request: Extract<IndexRequest, { op: 'load' }>,
  dataKey: DataKey | null,
): {
  touched: Set<string>;
  ids: string[];
  vectors: Float32Array;
  metadata: (Metadata | null)[];
  sizes: number[];
} {
  const { rows, target } = request;
  const codec = codecByName(request.codec);
  const d = target.dimension;
  const live = countLive(rows);
  const vectors = new Float32Array(live * d);
  const ids: string[] = [];
  const metadata: (Metadata | null)[] = [];
  const sizes: number[] = [];
  const payloads = Buffer.from(rows.payloads.buffer, rows.payloads.byteOffset, rows.payloads.byteLength);
  for (let i = 0; i < rows.ids.length; i++) {
    const start = rows.offsets[i] as number;
    const end = rows.offsets[i + 1] as number;
    if (end === start) continue; // tombstone
    const id = rows.ids[i] as string;
    const record = codec.decode(dataKey, payloads.subarray(start, end), {
      principal: target.principal,
      collectionId: target.key,
      recordId: id,
      seq: rows.seqs[i] as number,
    });
    if (record.vector.length !== d) {
      throw new StoredDataUnreadableError(
        `stored vector "${id}" has ${record.vector.length} values, not ${d}`,
      );
    }
    vectors.set(record.vector, ids.length * d);
    ids.push(id);
    metadata.push(record.metadata);
    sizes.push(sizeOf(id, Math.max(0, end - start - d * 4)));
  }
  return { touched: new Set(rows.ids), ids, vectors, metadata, sizes };
}

function countLive(rows: PackedRows): number {
  let n = 0;
  for (let i = 0; i < rows.ids.length; i++) if (rows.offsets[i + 1] !== rows.offsets[i]) n++;
  return n;
}
