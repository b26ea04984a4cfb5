import type { Collection } from '../store/collection.ts';
import type { PackedRows } from '../store/packed-rows.ts';
import type { CodecName, DataKey, Metadata } from '../store/record-codec.ts';
import { StoredDataUnreadableError } from '../store/stored-data-errors.ts';
import type { IndexReply, IndexStats, IndexTarget, SearchHit } from './index-protocol.ts';
import { type IndexWorkerClient, IndexWorkerError } from './index-worker-client.ts';

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
   * The k best hits for `query` (already prepared for the metric), from an index at least as new
   * as `collection.version`. Queries that arrive together for one collection share one FAISS call.
   */
  search(collection: Collection, query: Float32Array, k: number): Promise<SearchHit[]>;
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
  /** The most queries sent to FAISS in one call. */
  maxBatch?: number;
}

interface Waiting {
  collection: Collection;
  query: Float32Array;
  k: number;
  resolve: (hits: SearchHit[]) => void;
  reject: (err: unknown) => void;
}

const LOAD_ATTEMPTS = 3;

export const indexTarget = (collection: Collection): IndexTarget => ({
  key: collection.id,
  principal: collection.principal,
  metric: collection.metric === 'l2' ? 'l2' : 'ip',
  dimension: collection.dimension,
});

/** Hands the packed rows' memory to the worker when they own it, instead of copying it. */
function transferable(rows: PackedRows): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = rows.payloads;
  return buffer instanceof ArrayBuffer &&
    byteOffset === 0 &&
    byteLength === buffer.byteLength &&
    byteLength > 0
    ? [buffer]
    : [];
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
  const maxBatch = options.maxBatch ?? 64;
  const queues = new Map<string, Waiting[]>();
  const loads: Record<LoadSource, number> = { snapshot: 0, records: 0, cache: 0 };

  async function loadAndSearch(
    collection: Collection,
    queries: Float32Array,
    k: number,
  ): Promise<Extract<IndexReply, { op: 'load' }>> {
    for (let attempt = 1; ; attempt++) {
      const plan = await options.planLoad(collection, attempt < LOAD_ATTEMPTS);
      const started = performance.now();
      try {
        const reply = await worker.request<Extract<IndexReply, { op: 'load' }>>(
          {
            op: 'load',
            target: indexTarget(collection),
            version: plan.version,
            codec: plan.codec,
            dataKey: plan.dataKey && { id: plan.dataKey.id, key: new Uint8Array(plan.dataKey.key) },
            snapshot: plan.snapshot,
            rows: plan.rows,
            search: { queries, k },
          },
          transferable(plan.rows),
        );
        loads[reply.source]++;
        options.onLoad?.(reply.source, (performance.now() - started) / 1000);
        return reply;
      } catch (err) {
        if (!(err instanceof IndexWorkerError)) throw err;
        if (err.code === 'stored_data_unreadable') {
          throw new StoredDataUnreadableError(err.reason);
        }
        if (attempt >= LOAD_ATTEMPTS) throw err;
        if (err.code === 'snapshot_unusable') {
          options.onSnapshotRefused?.(collection, err.reason);
          await options.discardSnapshot(collection);
        } else if (err.code !== 'snapshot_changed') throw err;
      }
    }
  }

  async function runBatch(batch: Waiting[]): Promise<void> {
    const first = batch[0] as Waiting;
    const d = first.collection.dimension;
    const minVersion = Math.max(...batch.map((w) => w.collection.version));
    const k = Math.max(...batch.map((w) => w.k));
    const queries = new Float32Array(batch.length * d);
    for (const [i, w] of batch.entries()) queries.set(w.query, i * d);
    const reply = await worker.request<Extract<IndexReply, { op: 'search' }>>({
      op: 'search',
      key: first.collection.id,
      minVersion,
      queries,
      k,
    });
    let hits: SearchHit[][];
    if (reply.stale) {
      const loaded = await loadAndSearch(first.collection, queries, k);
      if (loaded.version < minVersion || !loaded.hits)
        throw new Error('the index could not be brought up to date');
      hits = loaded.hits;
    } else {
      hits = reply.hits;
    }
    for (const [i, w] of batch.entries()) w.resolve((hits[i] ?? []).slice(0, w.k));
  }

  async function drain(key: string): Promise<void> {
    const queue = queues.get(key);
    while (queue && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        await runBatch(batch);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    queues.delete(key);
  }

  return {
    search(collection, query, k) {
      return new Promise((resolve, reject) => {
        const queue = queues.get(collection.id);
        const waiting = { collection, query, k, resolve, reject };
        if (queue) {
          queue.push(waiting);
          return;
        }
        queues.set(collection.id, [waiting]);
        setImmediate(() => void drain(collection.id));
      });
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
      return { ...reply.stats, loads: { ...loads } };
    },
  };
}
