import type { IndexLoads } from './index-loads.ts';
import type { IndexReply, SearchHit } from './index-protocol.ts';
import type { IndexWorkerClient } from './index-worker-client.ts';
import type { WaitingSearch } from './search-queue.ts';

/**
 * Runs a batch of searches of one collection, one filter and one ef in one worker call (one FAISS call),
 * on an index at least as new as the newest `collection.version` among them; a stale index is
 * loaded and searched in one step. Each search gets its own queries' k best.
 */
export async function searchBatch(
  worker: IndexWorkerClient,
  loads: IndexLoads,
  batch: WaitingSearch[],
): Promise<void> {
  const first = batch[0] as WaitingSearch;
  const { filter, ef } = first.options;
  const minVersion = Math.max(...batch.map((w) => w.collection.version));
  const k = Math.max(...batch.map((w) => w.k));
  const withVectors = batch.some((w) => w.options.withVectors);
  const options = {
    ...(filter ? { filter } : {}),
    ...(withVectors ? { withVectors } : {}),
    ...(ef ? { ef } : {}),
  };
  const queries = new Float32Array(batch.reduce((n, w) => n + w.queries.length, 0));
  let at = 0;
  for (const w of batch) {
    queries.set(w.queries, at);
    at += w.queries.length;
  }
  const reply = await worker.request<Extract<IndexReply, { op: 'search' }>>({
    op: 'search',
    key: first.collection.id,
    minVersion,
    queries,
    k,
    ...options,
  });
  let hits: SearchHit[][];
  if (reply.stale) {
    const loaded = await loads.loadAndSearch(first.collection, queries, k, options);
    if (loaded.version < minVersion || !loaded.hits)
      throw new Error('the index could not be brought up to date');
    hits = loaded.hits;
  } else {
    hits = reply.hits;
  }
  let q = 0;
  for (const w of batch) {
    const n = w.queries.length / w.collection.dimension;
    w.resolve(hits.slice(q, q + n).map((h) => h.slice(0, w.k)));
    q += n;
  }
}
