import type { Collection } from '../store/collection.ts';
import type { PackedRows } from '../store/packed-rows.ts';
import type { CodecName, DataKey, Metadata } from '../store/record-codec.ts';
import { createIndexLoads } from './index-loads.ts';
import type { IndexReply, IndexStats, SearchHit, SearchOptions } from './index-protocol.ts';
import type { IndexWorkerClient } from './index-worker-client.ts';
import type { FilterNode } from './metadata-filter.ts';
import { searchBatch } from './search-batch.ts';
import { createSearchQueue } from './search-queue.ts';

export interface IndexWrite {
  deletes: string[];
  ids: string[];
  vectors: Float32Array;
  metadata: (Metadata | null)[];
}

/** What a collection's index is (re)built from: a snapshot file, then the rows written after it. */
export interface LoadPlan {
  version: number;
  codec: CodecName;
  dataKey: DataKey | null;
  snapshot: { path: string; version: number } | null;
  rows: PackedRows;
}

export type LoadSource = 'snapshot' | 'records' | 'cache';

export interface VectorIndex {
  /**
   * The k best hits for each of `queries` (row-major, already prepared for the metric), from an
   * index at least as new as `collection.version`; with `options.filter`, among the records it
   * matches only (exact: k hits whenever k match); `options.withVectors`: each hit carries its
   * stored vector (as stored: unit length under cosine). Searches that arrive together for one
   * collection, filter and ef share one FAISS call.
   */
  search(
    collection: Collection,
    queries: Float32Array,
    k: number,
    options?: SearchOptions,
  ): Promise<SearchHit[][]>;
  /** How many records the collection holds, or match `filter`, as of `collection.version` or newer. */
  count(collection: Collection, filter?: FilterNode): Promise<number>;
  /** Applies a committed write (version - 1 -> version) to the cached index, if it is that fresh. */
  applyWrite(collection: Collection, version: number, write: IndexWrite): Promise<void>;
  drop(collection: Collection): Promise<void>;
  /** Drops every cached index of the principal (crypto-shredding). */
  dropPrincipal(principal: string): Promise<void>;
  stats(): Promise<VectorIndexStats>;
}

export interface VectorIndexStats extends IndexStats {
  /** Loads since start, by what they were built from. */
  loads: Record<LoadSource, number>;
}

export interface VectorIndexOptions {
  worker: IndexWorkerClient;
  /** Reads what the collection's index is built from; without `useSnapshot`, every row. */
  planLoad(collection: Collection, useSnapshot: boolean): Promise<LoadPlan>;
  /** Deletes a snapshot the worker could not open, so the next load does not trip on it. */
  discardSnapshot(collection: Collection): Promise<void>;
  /** Told about every load (for metrics). */
  onLoad?(source: LoadSource, seconds: number): void;
  /** Told when a snapshot file did not authenticate or belongs elsewhere (refused; the rows rebuild it). */
  onSnapshotRefused?(collection: Collection, reason: string): void;
  /** The most queries sent to FAISS in one call (one search's own queries are never split). */
  maxBatch?: number;
}

/**
 * The index cache, keyed by collection id and versioned by `collection.version`: a search that
 * needs a newer version than the worker holds has the worker load it (snapshot + the rows after
 * it) and search in the same step, so several instances stay coherent, a restart or an eviction
 * loses nothing, and a search never sees half a write. One batch per collection is in flight at
 * a time; searches arriving meanwhile wait and go together in the next call.
 */
export function createVectorIndex(options: VectorIndexOptions): VectorIndex {
  const { worker } = options;
  const loads = createIndexLoads(options);
  return {
    search: createSearchQueue(options.maxBatch ?? 64, (batch) => searchBatch(worker, loads, batch)),
    async count(collection, filter) {
      // A stale index is loaded (searching nothing), then counted; an eviction in between, by
      // other collections' loads, costs another round.
      for (let round = 1; ; round++) {
        const reply = await worker.request<Extract<IndexReply, { op: 'count' }>>({
          op: 'count',
          key: collection.id,
          minVersion: collection.version,
          ...(filter ? { filter } : {}),
        });
        if (!reply.stale) return reply.count;
        if (round > 3) throw new Error('the index could not be brought up to date');
        await loads.loadAndSearch(collection, new Float32Array(0), 1);
      }
    },
    async applyWrite(collection, version, write) {
      await worker.request({
        op: 'apply',
        key: collection.id,
        fromVersion: version - 1,
        toVersion: version,
        ...write,
      });
    },
    async drop(collection) {
      await worker.request({ op: 'drop', key: collection.id });
      await options.discardSnapshot(collection);
    },
    async dropPrincipal(principal) {
      await worker.request({ op: 'dropPrincipal', principal });
    },
    async stats() {
      const reply = await worker.request<Extract<IndexReply, { op: 'stats' }>>({ op: 'stats' });
      return { ...reply.stats, loads: loads.counts() };
    },
  };
}
