import { resolve } from 'node:path';
import { createOrm } from '@vectorauth/shared';
import {
  createCollectionRepository,
  createEncryption,
  createRecordRepository,
  loadVectorApiConfig,
  VECTOR_MIGRATIONS,
} from '@vectorauth/vector-api';
import type { ServiceProcess } from '../../lib/service-process.ts';
import { randomVectorsF32 } from '../dataset.ts';
import { type LargeCollectionOptions, startFreshVectorApi } from '../fresh-vector-api.ts';
import { metricValue } from '../metrics.ts';

export interface ColdLoadResult {
  count: number;
  dimension: number;
  /** Writing every vector through the record repository (encrypted, in transactions of `batch`). */
  writeSeconds: number;
  /** First search on a fresh process: load every row, decrypt in the worker, build, search. */
  fromRowsMs: number;
  /** Until the worker had written the encrypted snapshot (after its debounce delay). */
  snapshotSeconds: number;
  /** First search on a fresh process: open the snapshot, replay the later rows, search. */
  fromSnapshotMs: number;
  laterRows: number;
  /** A search once loaded, for comparison. */
  warmMs: number;
}

/**
 * The cold-load time of a large collection (default 100k x 384). The vectors are written straight
 * through the record repository, encrypted as the API writes them (HTTP JSON for 100k x 384 would
 * measure the JSON parser), then fresh vector-api processes (vector-api/src/main.ts) are timed on
 * their first search: once with no snapshot (every row), once from the snapshot the first one
 * wrote plus `laterRows` rows written after it.
 */
export async function benchColdLoad(options: LargeCollectionOptions): Promise<ColdLoadResult> {
  const { http, token, dimension, count, log } = options;
  const config = loadVectorApiConfig(options.env);
  const orm = await createOrm({
    url: config.databaseUrl,
    migrations: VECTOR_MIGRATIONS,
    poolMax: 2,
  });
  const encryption = createEncryption(config.masterKeys);
  const name = 'cold';
  const laterRows = 1000;
  const started: ServiceProcess[] = [];
  try {
    const collection = await createCollectionRepository(orm.em.fork()).create(options.principal, {
      name,
      dimension,
      metric: 'ip',
    });
    const vectors = randomVectorsF32(count + laterRows, dimension, 3);
    const write = async (from: number, to: number) => {
      const inputs = [];
      for (let i = from; i < to; i++) {
        inputs.push({
          id: `c${i}`,
          vector: vectors.subarray(i * dimension, (i + 1) * dimension),
          metadata: null,
        });
      }
      await createRecordRepository(orm.em.fork(), encryption).upsert(collection, inputs);
    };
    log(`cold load: writing ${count} x ${dimension} through the record repository (encrypted)`);
    const writeStarted = performance.now();
    for (let from = 0; from < count; from += 5000) await write(from, Math.min(count, from + 5000));
    const writeSeconds = (performance.now() - writeStarted) / 1000;

    const query = Array.from(vectors.subarray(0, dimension));
    const dataDir = resolve(options.dataDir, 'cold');
    const start = async () => {
      const { service, url } = await startFreshVectorApi(
        { ...options, dataDir, masterKeys: config.masterKeys },
        'vector-api (cold)',
        started,
      );
      const search = async () => {
        const t0 = performance.now();
        await http.json('POST', `${url}/v1/collections/${name}/search`, 200, {
          headers: { authorization: `Bearer ${token}` },
          body: { vector: query, k: 10 },
        });
        return performance.now() - t0;
      };
      const metric = async (name: string, label?: string) =>
        metricValue((await http.send('GET', `${url}/metrics`)).body, name, label);
      return { service, search, metric };
    };

    log('cold load: first search with no snapshot (every row)');
    const first = await start();
    const fromRowsMs = await first.search();
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push(await first.search());
    const snapStarted = performance.now();
    while ((await first.metric('vector_index_snapshots_written_total')) < 1) {
      if (performance.now() - snapStarted > 120_000) throw new Error('no snapshot within 2 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const snapshotSeconds = (performance.now() - snapStarted) / 1000;
    await first.service.stop();

    await write(count, count + laterRows);
    log(`cold load: first search from the snapshot + ${laterRows} later rows`);
    const second = await start();
    const fromSnapshotMs = await second.search();
    const fromSnapshot = await second.metric('vector_index_loads_total', 'source="snapshot"');
    await second.service.stop();
    if (fromSnapshot !== 1)
      log(`cold load: warning, the second start did not load from the snapshot (${fromSnapshot})`);
    warm.sort((a, b) => a - b);
    return {
      count,
      dimension,
      writeSeconds,
      fromRowsMs,
      snapshotSeconds,
      fromSnapshotMs,
      laterRows,
      warmMs: warm[2] ?? Number.NaN,
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await orm.close(true);
  }
}
