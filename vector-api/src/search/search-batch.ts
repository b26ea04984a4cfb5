import type { IndexLoads } from './index-loads.ts';
import type { IndexReply, SearchHit } from './index-protocol.ts';
import type { IndexWorkerClient } from './index-worker-client.ts';
import type { WaitingSearch } from './search-queue.ts';

/**
 * Runs a batch of searches of one collection in one worker call, on an index at least as new as
 * the newest `collection.version` among them; a stale index is loaded and searched in one step.
 * Each search gets its own k best of the batch's hits.
 */
export async function searchBatch(
  worker: IndexWorkerClient,
  loads: IndexLoads,
  batch: WaitingSearch[],
): Promise<void> {
  const first = batch[0] as WaitingSearch;
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
    const loaded = await loads.loadAndSearch(first.collection, queries, k);
    if (loaded.version < minVersion || !loaded.hits)
      throw new Error('the index could not be brought up to date');
    hits = loaded.hits;
  } else {
    hits = reply.hits;
  }
  for (const [i, w] of batch.entries()) w.resolve((hits[i] ?? []).slice(0, w.k));
}
