import type { Collection } from '../store/collection.ts';
import type { SearchHit } from './index-protocol.ts';

/** A search waiting for its collection's next batch. */
export interface WaitingSearch {
  collection: Collection;
  query: Float32Array;
  k: number;
  resolve: (hits: SearchHit[]) => void;
  reject: (err: unknown) => void;
}

export type QueuedSearch = (collection: Collection, query: Float32Array, k: number) => Promise<SearchHit[]>;

/**
 * Batches searches per collection: one batch of at most `maxBatch` per collection is in flight at
 * a time (`runBatch` settles each of its searches); searches arriving meanwhile wait and go
 * together in the next one. A batch that throws rejects every search in it.
 */
export function createSearchQueue(
  maxBatch: number,
  runBatch: (batch: WaitingSearch[]) => Promise<void>,
): QueuedSearch {
  const queues = new Map<string, WaitingSearch[]>();

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

  return function search(collection, query, k) {
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
  };
}
