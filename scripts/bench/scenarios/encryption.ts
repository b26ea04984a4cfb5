import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { vectorId } from '../dataset.ts';
import type { HttpClient } from '../http-client.ts';
import { type LoadResult, runLoad } from '../load.ts';
import { spawnReady } from '../spawn-ready.ts';
import type { VectorTarget } from './vector-search.ts';

export interface PlaintextVectorApi {
  /** Where to send load, on 127.0.0.1. */
  vectorUrl: string;
  stop(): Promise<void>;
}

/**
 * A second vector API process on the same database, Redis and token audience as the stack's, with
 * encryption at rest off (scripts/bench/plaintext-vector-api.ts): the baseline of the encryption
 * on/off rows. Its own DATA_DIR, so snapshots do not mix.
 */
export async function startPlaintextVectorApi(
  root: string,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<PlaintextVectorApi> {
  const port = await freePort();
  const vectorUrl = `http://127.0.0.1:${port}`;
  const service = await spawnReady(
    'vector-api (encryption off)',
    resolve(root, 'scripts/bench/plaintext-vector-api.ts'),
    { ...env, VECTOR_PORT: String(port), DATA_DIR: dataDir },
    `${vectorUrl}/readyz`,
  );
  return { vectorUrl, stop: () => service.stop() };
}

/**
 * Batch upserts into a fresh collection, one batch in flight (writes to one collection are
 * serialised anyway): each operation is one PUT of `batch` vectors, committed before it returns.
 */
export async function benchUpserts(
  http: HttpClient,
  t: VectorTarget,
  vectors: number[][],
  options: { dimension: number; batch: number; warmupBatches: number },
): Promise<LoadResult> {
  await http.json('POST', `${t.vectorUrl}/v1/collections`, 201, {
    headers: { authorization: `Bearer ${t.token}` },
    body: { name: t.collection, dimension: options.dimension, metric: 'ip' },
  });
  const batches = Math.floor(vectors.length / options.batch);
  if (batches <= options.warmupBatches) throw new Error('bench: too few vectors for the upsert rows');
  return runLoad(
    { count: batches - options.warmupBatches, concurrency: 1, warmup: options.warmupBatches },
    (i) => {
      const from = i * options.batch;
      const body = {
        vectors: vectors
          .slice(from, from + options.batch)
          .map((vector, j) => ({ id: vectorId(from + j), vector })),
      };
      return http.json('PUT', `${t.vectorUrl}/v1/collections/${t.collection}/vectors`, 200, {
        headers: { authorization: `Bearer ${t.token}` },
        body,
      });
    },
  );
}
