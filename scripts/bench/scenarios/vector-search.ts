import { vectorId } from '../dataset.ts';
import type { HttpClient } from '../http-client.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';

export interface VectorTarget {
  /** The vector API's base URL, on 127.0.0.1. */
  vectorUrl: string;
  token: string;
  collection: string;
}

const auth = (t: VectorTarget) => ({ authorization: `Bearer ${t.token}` });

/** Creates the collection and upserts `vectors` (ids from `vectorId`) in batches. */
export async function fillCollection(
  http: HttpClient,
  t: VectorTarget,
  vectors: number[][],
  options: { dimension: number; metric: 'l2' | 'ip' | 'cosine'; batch: number },
): Promise<{ seconds: number }> {
  await http.json('POST', `${t.vectorUrl}/v1/collections`, 201, {
    headers: auth(t),
    body: { name: t.collection, dimension: options.dimension, metric: options.metric },
  });
  const started = performance.now();
  for (let from = 0; from < vectors.length; from += options.batch) {
    const batch = vectors
      .slice(from, from + options.batch)
      // `bucket` (0-99) lets a filter select a known share: bucket < 10 is 10% of the collection.
      .map((vector, j) => ({ id: vectorId(from + j), vector, metadata: { bucket: (from + j) % 100 } }));
    await http.json('PUT', `${t.vectorUrl}/v1/collections/${t.collection}/vectors`, 200, {
      headers: auth(t),
      body: { vectors: batch },
    });
  }
  return { seconds: (performance.now() - started) / 1000 };
}

export function searchOnce(http: HttpClient, t: VectorTarget, vector: number[], k: number, filter?: object) {
  return http.json<{ results: { id: string; score: number; metadata: { bucket?: number } | null }[] }>(
    'POST',
    `${t.vectorUrl}/v1/collections/${t.collection}/search`,
    200,
    { headers: auth(t), body: { vector, k, ...(filter ? { filter } : {}) } },
  );
}

/** Authenticated searches per second: every request carries and is checked for a Bearer JWT. */
export function benchVectorSearch(
  http: HttpClient,
  t: VectorTarget,
  queries: number[][],
  k: number,
  load: LoadOptions,
  filter?: object,
): Promise<LoadResult> {
  return runLoad(load, (i) => searchOnce(http, t, queries[i % queries.length]!, k, filter));
}
