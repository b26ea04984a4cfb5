import { indexKindFor } from '../store/index-settings.ts';
import type { CodecName, DataKey, Metadata } from '../store/record-codec.ts';
import { createFlatIndex, createHnswIndex, type FaissIndex, type IndexKind } from './faiss.ts';
import type { FilterSubsets } from './filter-subset.ts';
import type { IndexRequest, IndexTarget } from './index-protocol.ts';

/** An index being built in the background from an entry's vectors (see background-build.ts). */
export interface IndexBuild {
  index: FaissIndex;
  /** The entry's labels whose vectors go in, in this order (new label = position here). */
  sources: number[];
  /** How many of `sources` are in `index` so far. */
  added: number;
  /** The entry's label count when the build started: later labels are appended at the end. */
  startLength: number;
}

/**
 * One cached index in the worker: FAISS positions map to `ids[label]`, `metadata[label]`,
 * `sizes[label]`. A flat index removes what is deleted or replaced; an HNSW graph cannot, and
 * neither may a flat index while a build reads its labels, so those labels are masked (id '',
 * metadata null, never returned) until a build compacts them away.
 */
export interface Entry {
  target: IndexTarget;
  version: number;
  index: FaissIndex;
  ids: string[];
  /** Masked labels. */
  masked: number;
  /** Bitmap of the unmasked labels, while `masked` > 0; rebuilt after each change. */
  live?: Uint8Array;
  /** The index that will replace `index`, while it is being built. */
  build?: IndexBuild;
  metadata: (Metadata | null)[];
  /** Estimated bytes of each record besides its vector (id, metadata, bookkeeping). */
  sizes: number[];
  extraBytes: number;
  codec: CodecName;
  dataKey: DataKey | null;
  /** Records changed since the snapshot on disk (all of them when there is none). */
  changes: number;
  timer?: NodeJS.Timeout;
  writing: boolean;
  /** What recent filters select among `metadata`; cleared by every change. */
  subsets: FilterSubsets;
  /**
   * Writes that overtook the write before them (two commits on this instance raced to the
   * worker), by the version they follow; applied as soon as the gap closes.
   */
  early?: Map<number, EarlyWrite>;
}

/** A write held until the entry reaches `fromVersion`. */
export type EarlyWrite = Omit<Extract<IndexRequest, { op: 'apply' }>, 'op' | 'key'>;

/** Rebuild once this share of the labels is masked (and at least `REBUILD_MIN` of them). */
export const REBUILD_SHARE = 0.25;
export const REBUILD_MIN = 16;

export const liveCount = (e: Entry) => e.ids.length - e.masked;

/** A new index of `kind` over `vectors` (row-major), shaped by the collection's settings. */
export function buildIndex(target: IndexTarget, kind: IndexKind, vectors?: Float32Array): FaissIndex {
  if (kind === 'flat') return createFlatIndex(target.metric, target.dimension, vectors);
  return createHnswIndex(target.metric, target.dimension, target.index, vectors);
}

/** The entry's index is not the kind its settings want for its size, or is a quarter masked. */
export function needsRebuild(e: Entry): boolean {
  if (indexKindFor(e.target.index, liveCount(e), e.index.kind) !== e.index.kind) return true;
  return e.masked >= REBUILD_MIN && e.masked >= REBUILD_SHARE * e.ids.length;
}

/** Labels are masked rather than removed: always in a graph, and in any index while a build runs. */
export const masksDeletes = (e: Entry) => e.index.kind === 'hnsw' || e.build !== undefined;

/** Bitmap of the unmasked labels (cached until the next change), or undefined when none is masked. */
export function liveBitmap(e: Entry): Uint8Array | undefined {
  if (e.masked === 0) return undefined;
  if (e.live) return e.live;
  const bitmap = new Uint8Array(Math.ceil(e.ids.length / 8));
  for (let label = 0; label < e.ids.length; label++) {
    if (e.ids[label] !== '') bitmap[label >> 3] = (bitmap[label >> 3] as number) | (1 << (label & 7));
  }
  e.live = bitmap;
  return bitmap;
}

/** Removes the masked labels of a flat index for good (positions shift down, order kept). */
export function compactFlat(e: Entry): void {
  if (e.masked === 0 || e.index.kind !== 'flat') return;
  const gone: number[] = [];
  for (let label = 0; label < e.ids.length; label++) if (e.ids[label] === '') gone.push(label);
  e.index.remove(gone);
  const keep = (_: unknown, label: number) => e.ids[label] !== '';
  e.metadata = e.metadata.filter(keep);
  e.sizes = e.sizes.filter(keep);
  e.ids = e.ids.filter((id) => id !== '');
  e.masked = 0;
  e.live = undefined;
}
