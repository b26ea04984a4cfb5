import { resolve } from 'node:path';
import { createOrm } from '@vectorauth/shared';
import {
  createCollectionRepository,
  createEncryption,
  createRecordRepository,
  DEFAULT_INDEX_SETTINGS,
  loadVectorApiConfig,
  VECTOR_MIGRATIONS,
} from '@vectorauth/vector-api';
import type { ServiceProcess } from '../../lib/service-process.ts';
import { embeddingLikeVectorsF32 } from '../dataset.ts';
import { type LargeCollectionOptions, startFreshVectorApi } from '../fresh-vector-api.ts';
import { createLeanHttpClient } from '../lean-http-client.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';
import { metricValue } from '../metrics.ts';
import type { Row } from '../table.ts';

export interface AnnResult {
  count: number;
  dimension: number;
  rows: Row[];
  /** name, value: the facts that are not rates (recall, memory, load times). */
  facts: [string, string][];
  hnswOverFlat: { name: string; ours: LoadResult; bare: LoadResult }[];
  filteredOverUnfiltered: { name: string; ours: LoadResult; bare: LoadResult }[];
}

type Hits = { results: { id: string }[] };

/** Issue 15's goal: recall@10 at least this, one search at a time under 2 ms p50 over HTTP. */
const GOAL_RECALL = 0.95;

/**
 * Approximate against exact search on one large collection (default 100k x 384, vectors shaped
 * like embeddings): the same vectors in a flat and an HNSW collection (default settings), written
 * encrypted through the record repository, served by a fresh vector-api process. Measures the
 * HNSW build from the rows, its cold load from the snapshot, searches one at a time (p50/p99 over
 * HTTP) and at `concurrency`, recall@10 against flat, filtered HNSW searches at 1%, 10% and 50%
 * (the 1% ones checked equal to flat's exact answers), and the cache's bytes per vector.
 */
export async function benchAnn(
  options: LargeCollectionOptions & {
    searches: number;
    concurrency: number;
    k: number;
    /** A new access token for the same principal: a 1M run outlasts one (built for half an hour). */
    freshToken: () => Promise<string>;
  },
): Promise<AnnResult> {
  const { http, dimension, count, k } = options;
  const log = (line: string) => options.log(`ann: ${line}`);
  let token = options.token;
  let tokenAt = performance.now();
  const bearer = async () => {
    if (performance.now() - tokenAt > 120_000) {
      token = await options.freshToken();
      tokenAt = performance.now();
    }
    return `Bearer ${token}`;
  };
  const config = loadVectorApiConfig(options.env);
  const orm = await createOrm({ url: config.databaseUrl, migrations: VECTOR_MIGRATIONS, poolMax: 2 });
  const encryption = createEncryption(config.masterKeys);
  const started: ServiceProcess[] = [];
  try {
    log(`${count} x ${dimension} embedding-like vectors into a flat and an HNSW collection (encrypted)`);
    const vectors = embeddingLikeVectorsF32(count, dimension, 11);
    const queryVectors = embeddingLikeVectorsF32(500, dimension, 12);
    const queries = Array.from({ length: 500 }, (_, i) =>
      Array.from(queryVectors.subarray(i * dimension, (i + 1) * dimension)),
    );
    const repository = createCollectionRepository(orm.em.fork());
    for (const type of ['flat', 'hnsw'] as const) {
      const collection = await repository.create(options.principal, {
        name: `ann-${type}`,
        dimension,
        metric: 'l2',
        index: { ...DEFAULT_INDEX_SETTINGS, type },
      });
      for (let from = 0; from < count; from += 5000) {
        const inputs = [];
        for (let i = from; i < Math.min(count, from + 5000); i++) {
          inputs.push({
            id: `a${i}`,
            vector: vectors.subarray(i * dimension, (i + 1) * dimension),
            metadata: { bucket: i % 100 },
          });
        }
        await createRecordRepository(orm.em.fork(), encryption).upsert(collection, inputs);
      }
    }

    const dataDir = resolve(options.dataDir, 'ann');
    const start = async () => {
      const { service, url } = await startFreshVectorApi(
        { ...options, dataDir, masterKeys: config.masterKeys },
        'vector-api (ann)',
        started,
        { VECTOR_CACHE_MB: '16384' },
      );
      const search = async (type: string, vector: number[], extra: object = {}) =>
        http.json<Hits>('POST', `${url}/v1/collections/ann-${type}/search`, 200, {
          headers: { authorization: await bearer() },
          body: { vector, k, ...extra },
        });
      const timed = async (type: string) => {
        const t0 = performance.now();
        await search(type, queries[0] as number[]);
        return performance.now() - t0;
      };
      const metric = async (name: string, label?: string) =>
        metricValue((await http.send('GET', `${url}/metrics`)).body, name, label);
      return { service, url, search, timed, metric };
    };

    log('first HNSW search on a fresh process (flat from the rows, the graph built in the background)');
    const first = await start();
    const buildStarted = performance.now();
    const flatFirstMs = await first.timed('hnsw');
    while ((await first.metric('vector_index_rebuilds_total')) < 1) {
      if (performance.now() - buildStarted > 3_600_000) throw new Error('no graph within an hour');
      await new Promise((r) => setTimeout(r, 500));
    }
    const buildMs = performance.now() - buildStarted;
    log(
      `first search (flat, from the rows) ${(flatFirstMs / 1000).toFixed(2)} s; graph ready after ${(buildMs / 1000).toFixed(1)} s`,
    );
    const snapStarted = performance.now();
    while ((await first.metric('vector_index_snapshots_written_total')) < 1) {
      if (performance.now() - snapStarted > 600_000) throw new Error('no snapshot within 10 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    await first.service.stop();

    log('first HNSW search on another fresh process (from the snapshot)');
    const api = await start();
    const coldMs = await api.timed('hnsw');
    log(`cold load from the snapshot: ${(coldMs / 1000).toFixed(2)} s`);
    const hnswBytes = await api.metric('vector_index_cache_bytes');
    await api.timed('flat');
    const bothBytes = await api.metric('vector_index_cache_bytes');
    const flatBytes = bothBytes - hnswBytes;

    log('recall@10 of HNSW against flat (exact), 200 queries, at the default ef_search and wider');
    const exactIds: Set<string>[] = [];
    for (const query of queries.slice(0, 200)) {
      exactIds.push(new Set((await api.search('flat', query)).results.map((r) => r.id)));
    }
    const recallAt = async (ef?: number) => {
      let found = 0;
      for (const [i, query] of queries.slice(0, 200).entries()) {
        const hits = await api.search('hnsw', query, ef ? { ef_search: ef } : {});
        found += hits.results.filter((r) => exactIds[i]?.has(r.id)).length;
      }
      return found / (200 * k);
    };
    const recall = await recallAt();
    const recallWide = await recallAt(256);
    // The narrowest ef_search of this ladder that finds 0.95 of the exact 10: the goal's setting.
    let goalEf = DEFAULT_INDEX_SETTINGS.efSearch;
    let goalRecall = recall;
    for (const ef of [DEFAULT_INDEX_SETTINGS.efSearch, 128, 160, 192, 224, 256, 320, 384, 512]) {
      goalEf = ef;
      goalRecall =
        ef === DEFAULT_INDEX_SETTINGS.efSearch ? recall : ef === 256 ? recallWide : await recallAt(ef);
      if (goalRecall >= GOAL_RECALL) break;
    }
    log(
      `recall@10 ${recall.toFixed(3)} (ef_search ${DEFAULT_INDEX_SETTINGS.efSearch}), ${recallWide.toFixed(3)} (256), ${goalRecall.toFixed(3)} at ef_search ${goalEf} (the narrowest reaching ${GOAL_RECALL}); bytes per vector flat ${(flatBytes / count).toFixed(0)}, HNSW ${(hnswBytes / count).toFixed(0)}`,
    );
    for (const query of queries.slice(0, 20)) {
      const filter = { bucket: { $lt: 1 } };
      const exact = (await api.search('flat', query, { filter })).results.map((r) => r.id).join();
      const approx = (await api.search('hnsw', query, { filter })).results.map((r) => r.id).join();
      if (exact !== approx) throw new Error('a 1% filtered HNSW search differs from the exact one');
    }

    const one: LoadOptions = { count: options.searches, concurrency: 1, warmup: 100 };
    const many: LoadOptions = { count: options.searches, concurrency: options.concurrency, warmup: 100 };
    const bench = (type: string, load: LoadOptions, extra: object = {}) =>
      runLoad(load, (i) => api.search(type, queries[i % queries.length] as number[], extra));
    log(`searches one at a time and at concurrency ${options.concurrency}, flat and HNSW`);
    const flatOne = await bench('flat', one);
    const faissSeconds = async () => [
      await api.metric('vector_index_search_seconds_total'),
      await api.metric('vector_index_search_calls_total'),
    ];
    const [secondsBefore = 0, callsBefore = 0] = await faissSeconds();
    const hnswOne = await bench('hnsw', one);
    const [secondsAfter = 0, callsAfter = 0] = await faissSeconds();
    const graphMs = ((secondsAfter - secondsBefore) * 1000) / Math.max(1, callsAfter - callsBefore);
    const flatMany = await bench('flat', many);
    const hnswMany = await bench('hnsw', many);
    const wideOne = await bench('hnsw', one, { ef_search: 256 });
    log(`one at a time over one bare keep-alive connection (no node:http client), ef_search ${goalEf}`);
    const lean = await createLeanHttpClient(api.url);
    const leanLoad = async (path: string, body?: (i: number) => string) => {
      const headers = { authorization: await bearer(), 'content-type': 'application/json' };
      return runLoad(one, async (i) => {
        const status = await lean.send(body ? 'POST' : 'GET', path, headers, body?.(i));
        if (status !== 200) throw new Error(`${path}: ${status}`);
      });
    };
    const bodies = queries.map((vector) => JSON.stringify({ vector, k, ef_search: goalEf }));
    const leanHealth = await leanLoad('/healthz');
    const leanGoal = await leanLoad(
      '/v1/collections/ann-hnsw/search',
      (i) => bodies[i % bodies.length] as string,
    );
    lean.close();
    log('HNSW searches filtered to 1%, 10%, 50%');
    const filtered = [];
    for (const share of [1, 10, 50]) {
      filtered.push({ share, result: await bench('hnsw', many, { filter: { bucket: { $lt: share } } }) });
    }
    const perVector = (bytes: number) => `${(bytes / count).toFixed(0)} B`;
    const label = `${count / 1000}k x ${dimension}`;
    return {
      count,
      dimension,
      rows: [
        { name: `ANN ${label}: flat, one at a time`, result: flatOne },
        { name: `ANN ${label}: HNSW, one at a time`, result: hnswOne },
        { name: `ANN ${label}: flat, concurrency ${options.concurrency}`, result: flatMany },
        { name: `ANN ${label}: HNSW, concurrency ${options.concurrency}`, result: hnswMany },
        { name: `ANN ${label}: HNSW ef_search 256, one at a time`, result: wideOne },
        { name: `ANN ${label}: HNSW ef_search ${goalEf}, one at a time, bare connection`, result: leanGoal },
        { name: 'GET /healthz, one at a time, bare connection', result: leanHealth },
        ...filtered.map((f) => ({ name: `ANN ${label}: HNSW filtered to ${f.share}%`, result: f.result })),
      ],
      facts: [
        [
          `ANN ${label}: HNSW recall@10 (default m ${DEFAULT_INDEX_SETTINGS.m}, ef_search ${DEFAULT_INDEX_SETTINGS.efSearch})`,
          recall.toFixed(3),
        ],
        [`ANN ${label}: HNSW recall@10 at ef_search 256`, recallWide.toFixed(3)],
        [
          `ANN ${label}: goal, p50 < 2 ms over HTTP at recall@10 >= ${GOAL_RECALL}`,
          `${leanGoal.p50Ms.toFixed(2)} ms p50 at ef_search ${goalEf} (recall ${goalRecall.toFixed(3)}): ${
            leanGoal.p50Ms < 2 && goalRecall >= GOAL_RECALL ? 'met' : 'NOT met'
          }`,
        ],
        [`ANN ${label}: HNSW time in FAISS per search (one at a time, worker)`, `${graphMs.toFixed(3)} ms`],
        [
          `ANN ${label}: HNSW collection loaded from the rows, first search (flat)`,
          `${(flatFirstMs / 1000).toFixed(2)} s`,
        ],
        [`ANN ${label}: its graph built in the background, ready after`, `${(buildMs / 1000).toFixed(1)} s`],
        [`ANN ${label}: HNSW cold load from its snapshot, first search`, `${(coldMs / 1000).toFixed(2)} s`],
        [`ANN ${label}: cache bytes per vector, flat`, perVector(flatBytes)],
        [`ANN ${label}: cache bytes per vector, HNSW`, perVector(hnswBytes)],
        [`ANN ${label}: filtered to 1%`, 'equal to the exact (flat) answers for 20 queries'],
      ],
      hnswOverFlat: [
        { name: `${label}, one at a time`, ours: hnswOne, bare: flatOne },
        { name: `${label}, concurrency ${options.concurrency}`, ours: hnswMany, bare: flatMany },
      ],
      filteredOverUnfiltered: filtered.map((f) => ({
        name: `HNSW ${label} filtered to ${f.share}%`,
        ours: f.result,
        bare: hnswMany,
      })),
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await orm.close(true);
  }
}
