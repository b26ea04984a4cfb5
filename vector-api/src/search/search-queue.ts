import type { Collection } from '../store/collection.ts';
import type { SearchHit, SearchOptions } from './index-protocol.ts';
import { filterKey } from './metadata-filter.ts';

/** A search waiting for its collection's next batch: one query or several (row-major). */
export interface WaitingSearch {
  collection: Collection;
  queries: Float32Array;
  k: number;
  options: SearchOptions;
  resolve: (hits: SearchHit[][]) => void;
  reject: (err: unknown) => void;
}

export type QueuedSearch = (
  collection: Collection,
  queries: Float32Array,
  k: number,
  options?: SearchOptions,
) => Promise<SearchHit[][]>;

/**
 * Batches searches per collection, filter and ef: one batch per such key is in flight at a
 * time (`runBatch` settles each of its searches); searches arriving meanwhile wait and go together
 * in the next one. A batch holds at most `maxQueries` queries, except a single search of more; a
 * search's queries are never split between batches. A batch that throws rejects every search in it.
 */
export function createSearchQueue(
  maxQueries: number,
  runBatch: (batch: WaitingSearch[]) => Promise<void>,
): QueuedSearch {
  const queues = new Map<string, WaitingSearch[]>();

  function take(queue: WaitingSearch[]): WaitingSearch[] {
    let n = 0;
    let queries = 0;
    for (const w of queue) {
      const q = w.queries.length / w.collection.dimension;
      if (n > 0 && queries + q > maxQueries) break;
      n++;
      queries += q;
    }
    return queue.splice(0, n);
  }

  async function drain(key: string): Promise<void> {
    const queue = queues.get(key);
    while (queue && queue.length > 0) {
      const batch = take(queue);
      try {
        await runBatch(batch);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    queues.delete(key);
  }

  return function search(collection, queries, k, options = {}) {
    return new Promise((resolve, reject) => {
      const key = `${collection.id}\u0000${options.ef ?? ''}\u0000${filterKey(options.filter)}`;
      const queue = queues.get(key);
      const waiting = { collection, queries, k, options, resolve, reject };
      if (queue) {
        queue.push(waiting);
        return;
      }
      queues.set(key, [waiting]);
      setImmediate(() => void drain(key));
    });
  };
}
