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

/** Packs rows read in order (`parts[i]` the payload of `ids[i]`, empty for a tombstone). */
export function packRows(ids: string[], seqs: number[], parts: readonly Buffer[]): PackedRows {
  const offsets = new Float64Array(parts.length + 1);
  parts.forEach((p, i) => {
    offsets[i + 1] = (offsets[i] as number) + p.length;
  });
  return { ids, seqs, offsets, payloads: Buffer.concat(parts) };
}
