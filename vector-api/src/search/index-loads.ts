import type { Collection } from '../store/collection.ts';
import type { PackedRows } from '../store/packed-rows.ts';
import { StoredDataUnreadableError } from '../store/stored-data-errors.ts';
import type { IndexReply, IndexTarget, SearchOptions } from './index-protocol.ts';
import { IndexWorkerError } from './index-worker-client.ts';
import type { LoadSource, VectorIndexOptions } from './vector-index.ts';

export type LoadReply = Extract<IndexReply, { op: 'load' }>;

export interface IndexLoads {
  /**
   * Has the worker (re)load the collection's index from a fresh plan and run `queries` on it in
   * the same step. A snapshot the worker refuses is discarded and the load retried; the last
   * attempt reads every row instead.
   */
  loadAndSearch(
    collection: Collection,
    queries: Float32Array,
    k: number,
    options?: SearchOptions,
  ): Promise<LoadReply>;
  /** Loads since start, by what they were built from. */
  counts(): Record<LoadSource, number>;
}

const LOAD_ATTEMPTS = 3;

/** Loads of indexes into the worker, and the count of them by source. */
export function createIndexLoads(options: VectorIndexOptions): IndexLoads {
  const loads: Record<LoadSource, number> = { snapshot: 0, records: 0, cache: 0 };
  return {
    async loadAndSearch(collection, queries, k, searchOptions = {}) {
      for (let attempt = 1; ; attempt++) {
        const plan = await options.planLoad(collection, attempt < LOAD_ATTEMPTS);
        const started = performance.now();
        try {
          const reply = await options.worker.request<LoadReply>(
            {
              op: 'load',
              target: indexTarget(collection),
              version: plan.version,
              codec: plan.codec,
              dataKey: plan.dataKey && { id: plan.dataKey.id, key: new Uint8Array(plan.dataKey.key) },
              snapshot: plan.snapshot,
              rows: plan.rows,
              search: { queries, k, ...searchOptions },
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
    },
    counts: () => ({ ...loads }),
  };
}

const indexTarget = (collection: Collection): IndexTarget => ({
  key: collection.id,
  principal: collection.principal,
  metric: collection.metric === 'l2' ? 'l2' : 'ip',
  dimension: collection.dimension,
  index: collection.index,
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
