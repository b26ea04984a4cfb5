import { resolve } from 'node:path';
import { loadAuthServerConfig } from '@vectorauth/auth-server';
import { seedAuthDatabase } from '../auth-seed.ts';
import { randomVectors, seededRandom, vectorId } from '../dataset.ts';
import type { HttpClient } from '../http-client.ts';
import { type LoadResult, runLoad } from '../load.ts';
import { type IndexCounters, readIndexCounters } from '../metrics.ts';
import { startVectorApiProcess } from '../vector-api-process.ts';
import { createZipfSampler, zipfHeadShare } from '../zipf.ts';
import { requestToken } from './client-credentials.ts';

export interface VectorCacheOptions {
  principals: number;
  /** Vectors in each principal's one collection. */
  vectorsEach: number;
  dimension: number;
  cacheMb: number;
  /** Measured Zipf searches (one fifth as many again first, as warm-up). */
  searches: number;
  zipfS: number;
  /** Searches of collections known to be out of the cache, one at a time. */
  coldSample: number;
  concurrency: number;
}

export interface VectorCacheResult extends VectorCacheOptions {
  /** The cache's own estimate of all the indexes together (vector bytes + per-record overhead). */
  totalMb: number;
  fillSeconds: number;
  /** First searches of evicted collections, one at a time, and how many of them loaded an index. */
  cold: LoadResult;
  coldLoads: number;
  /** The most popular collection searched again and again, one at a time. */
  hot: LoadResult;
  zipf: LoadResult;
  /** 1 - index loads / searches over the measured Zipf run. */
  hitRate: number;
  /** What a perfect cache holding as many entries as this one did would hit. */
  idealHitRate: number;
  cachedEntries: number;
  loads: { snapshot: number; records: number };
  evictions: number;
}

/**
 * The vector API with many principals' collections under an index cache smaller than their total:
 * `principals` client-credentials clients seeded in the stack's auth database (one token each),
 * one collection each, written through the API into a vector-api process of its own with
 * VECTOR_CACHE_MB=`cacheMb`. Then the cold-load time (searches of evicted collections), the hit
 * time, and searches with a Zipf(s) skew over the principals with the hit rate from the service's
 * own counters (vector_index_loads_total, vector_index_evictions_total).
 */
export async function benchVectorCache(
  http: HttpClient,
  stack: {
    root: string;
    env: NodeJS.ProcessEnv;
    dataDir: string;
    templateClientId: string;
    tokenUrl: string;
    /** Hears of every process started, so an interrupted bench stops it too. */
    track: (stop: () => Promise<void>) => void;
  },
  o: VectorCacheOptions,
  log: (line: string) => void,
): Promise<VectorCacheResult> {
  const scope = 'vectors:read vectors:write';
  log(`vector cache: seeding ${o.principals} clients (one principal each)`);
  const clients = await seedAuthDatabase({
    databaseUrl: String(stack.env.DATABASE_URL),
    masterKeys: loadAuthServerConfig(stack.env).masterKeys,
    templateClientId: stack.templateClientId,
    accounts: 0,
    clients: o.principals,
    clientPrefix: 'principal-',
  });
  const tokens: string[] = new Array(o.principals);
  const audience = String(stack.env.VECTOR_API_URL);
  await runLoad({ count: o.principals, concurrency: o.concurrency, warmup: 0 }, async (i) => {
    const c = clients[i]!;
    tokens[i] = await requestToken(http, {
      tokenUrl: stack.tokenUrl,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      scope,
      audience,
    });
  });
  const api = await startVectorApiProcess({
    root: stack.root,
    env: stack.env,
    dataDir: resolve(stack.dataDir, 'vector-cache'),
    name: 'vector-api (small cache)',
    settings: { VECTOR_CACHE_MB: String(o.cacheMb) },
  });
  stack.track(api.stop);
  try {
    const auth = (i: number) => ({ authorization: `Bearer ${tokens[i]}` });
    const collection = (i: number) => `${api.vectorUrl}/v1/collections/p${i}`;
    log(
      `vector cache: ${o.principals} collections of ${o.vectorsEach} x ${o.dimension}, cache ${o.cacheMb} MB`,
    );
    const fill = await runLoad({ count: o.principals, concurrency: o.concurrency, warmup: 0 }, async (i) => {
      await http.json('POST', `${api.vectorUrl}/v1/collections`, 201, {
        headers: auth(i),
        body: { name: `p${i}`, dimension: o.dimension, metric: 'ip' },
      });
      const vectors = randomVectors(o.vectorsEach, o.dimension, 1000 + i).map((vector, j) => ({
        id: vectorId(j),
        vector,
      }));
      await http.json('PUT', `${collection(i)}/vectors`, 200, { headers: auth(i), body: { vectors } });
    });
    const queries = randomVectors(64, o.dimension, 7);
    const search = (i: number, q: number) =>
      http.json('POST', `${collection(i)}/search`, 200, {
        headers: auth(i),
        body: { vector: queries[q % queries.length], k: 10 },
      });

    // Filled in order, so the middle ranks were written long before the last ones: out of the cache.
    const coldFrom = Math.floor(o.principals / 2);
    const coldCount = Math.min(o.coldSample, o.principals - coldFrom);
    log(`vector cache: ${coldCount} cold searches, one at a time`);
    const beforeCold = await readIndexCounters(http, api.vectorUrl);
    const cold = await runLoad({ count: coldCount, concurrency: 1, warmup: 0 }, (i) =>
      search(coldFrom + i, i),
    );
    const afterCold = await readIndexCounters(http, api.vectorUrl);
    const hot = await runLoad({ count: 200, concurrency: 1, warmup: 20 }, (i) => search(0, i));

    log(`vector cache: ${o.searches} searches, Zipf s=${o.zipfS} over ${o.principals} principals`);
    const rank = createZipfSampler(o.principals, o.zipfS, seededRandom(11));
    const zipfOp = (i: number) => search(rank(), i);
    await runLoad({ count: Math.ceil(o.searches / 5), concurrency: o.concurrency, warmup: 0 }, zipfOp);
    const before = await readIndexCounters(http, api.vectorUrl);
    const zipf = await runLoad({ count: o.searches, concurrency: o.concurrency, warmup: 0 }, zipfOp);
    const after = await readIndexCounters(http, api.vectorUrl);
    const loads = (c: IndexCounters) => c.loadsFromSnapshot + c.loadsFromRecords;
    const recordBytes = o.dimension * 4 + 64 + vectorId(o.vectorsEach).length * 2;
    return {
      ...o,
      totalMb: (o.principals * o.vectorsEach * recordBytes) / 2 ** 20,
      fillSeconds: fill.seconds,
      cold,
      coldLoads: loads(afterCold) - loads(beforeCold),
      hot,
      zipf,
      hitRate: 1 - (loads(after) - loads(before)) / o.searches,
      idealHitRate: zipfHeadShare(o.principals, o.zipfS, after.entries),
      cachedEntries: after.entries,
      loads: {
        snapshot: after.loadsFromSnapshot - before.loadsFromSnapshot,
        records: after.loadsFromRecords - before.loadsFromRecords,
      },
      evictions: after.evictions - before.evictions,
    };
  } finally {
    await api.stop();
  }
}
