import type { Metadata } from '../store/record-codec.ts';
import { compileMetadataFilter, type FilterNode } from './metadata-filter.ts';

/** The records a filter selects, as FAISS takes them: a bitmap over positions, and their number. */
export interface FilterSubset {
  /** Bit `label % 8` of byte `label >> 3` is set when the record at `label` matches. */
  bitmap: Uint8Array;
  count: number;
}

/**
 * Evaluates `filter` on every record's metadata (position = FAISS label). Labels whose id is the
 * empty string are masked (deleted from an HNSW graph, which cannot remove them) and never match.
 */
export function filterSubset(
  metadata: readonly (Metadata | null)[],
  filter: FilterNode,
  ids?: readonly string[],
): FilterSubset {
  const matches = compileMetadataFilter(filter);
  const bitmap = new Uint8Array(Math.ceil(metadata.length / 8));
  let count = 0;
  for (let label = 0; label < metadata.length; label++) {
    if (ids?.[label] === '' || !matches(metadata[label] ?? null)) continue;
    bitmap[label >> 3] = (bitmap[label >> 3] as number) | (1 << (label & 7));
    count++;
  }
  return { bitmap, count };
}

/**
 * The subsets of one index's records for recent filters, until the records change: a filter used
 * by many searches in a row is evaluated once. At most `max` filters are kept (oldest out).
 */
export class FilterSubsets {
  readonly #max: number;
  #subsets = new Map<string, FilterSubset>();

  constructor(max = 32) {
    this.#max = max;
  }

  of(
    key: string,
    metadata: readonly (Metadata | null)[],
    filter: FilterNode,
    ids?: readonly string[],
  ): FilterSubset {
    const known = this.#subsets.get(key);
    if (known) return known;
    const subset = filterSubset(metadata, filter, ids);
    this.#subsets.set(key, subset);
    if (this.#subsets.size > this.#max) this.#subsets.delete(this.#subsets.keys().next().value as string);
    return subset;
  }

  /** The records changed: every subset is stale. */
  clear(): void {
    this.#subsets.clear();
  }
}
