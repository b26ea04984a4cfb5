import type { Collection } from '../store/collection.ts';
import type { Metadata } from '../store/record-codec.ts';
import type { CollectionSnapshot } from '../store/record-repository.ts';
import type { IndexReply, SearchHit } from './index-protocol.ts';
import type { IndexWorkerClient } from './index-worker-client.ts';

export interface IndexWrite {
  deletes: string[];
  ids: string[];
  vectors: Float32Array;
  metadata: (Metadata | null)[];
}

export interface VectorIndex {
  /**
   * The k best hits for `query` (already prepared for the metric), from an index at least as new
   * as `collection.version`. Queries that arrive together for one collection share one FAISS call.
   */
  search(collection: Collection, query: Float32Array, k: number): Promise<SearchHit[]>;
  /** Applies a committed write (version - 1 -> version) to the cached index, if it is that fresh. */
  applyWrite(collection: Collection, version: number, write: IndexWrite): Promise<void>;
  drop(collection: Collection): Promise<void>;
}

export interface VectorIndexOptions {
  worker: IndexWorkerClient;
  /** Reads every record of the collection from Postgres at its current version. */
  loadSnapshot(collection: Collection): Promise<CollectionSnapshot>;
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

/**
 * The index cache, keyed by collection id and versioned by `collection.version`: a search that
 * needs a newer version than the worker holds reloads from Postgres first, so several instances
 * stay coherent and a restart loses nothing. One batch per collection is in flight at a time;
 * searches arriving meanwhile wait and go together in the next call.
 */
export function createVectorIndex(options: VectorIndexOptions): VectorIndex {
  const { worker } = options;
  const maxBatch = options.maxBatch ?? 64;
  const queues = new Map<string, Waiting[]>();
  const loads = new Map<string, Promise<void>>();

  function load(collection: Collection): Promise<void> {
    let loading = loads.get(collection.id);
    if (!loading) {
      loading = (async () => {
        const snapshot = await options.loadSnapshot(collection);
        await worker.request({
          op: 'load',
          key: collection.id,
          version: snapshot.version,
          metric: collection.metric === 'l2' ? 'l2' : 'ip',
          dimension: collection.dimension,
          ids: snapshot.ids,
          vectors: snapshot.vectors,
          metadata: snapshot.metadata,
        });
      })().finally(() => loads.delete(collection.id));
      loads.set(collection.id, loading);
    }
    return loading;
  }

  async function runBatch(batch: Waiting[]): Promise<void> {
    const first = batch[0] as Waiting;
    const d = first.collection.dimension;
    const minVersion = Math.max(...batch.map((w) => w.collection.version));
    const k = Math.max(...batch.map((w) => w.k));
    const queries = new Float32Array(batch.length * d);
    for (const [i, w] of batch.entries()) queries.set(w.query, i * d);
    const ask = () =>
      worker.request<Extract<IndexReply, { op: 'search' }>>({
        op: 'search',
        key: first.collection.id,
        minVersion,
        queries,
        k,
      });
    let reply = await ask();
    for (let attempt = 0; reply.stale && attempt < 3; attempt++) {
      await load(first.collection);
      reply = await ask();
    }
    if (reply.stale) throw new Error('the index could not be brought up to date');
    for (const [i, w] of batch.entries()) w.resolve((reply.hits[i] ?? []).slice(0, w.k));
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
    },
  };
}
