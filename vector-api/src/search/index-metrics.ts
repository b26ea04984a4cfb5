import type { Metrics } from '@vectorauth/shared';
import type { VectorIndex, VectorIndexStats } from './vector-index.ts';

type Registry = Metrics['registry'];
type Sample = { value: number; labels?: Record<string, string> };

/**
 * Index cache metrics, read from the worker once per scrape: `vector_index_cache_bytes`,
 * `vector_index_cache_entries`, `vector_index_loads_total{source="snapshot"|"records"}`,
 * `vector_index_evictions_total`, `vector_index_snapshots_written_total`,
 * `vector_index_search_calls_total`, `vector_index_search_queries_total` (their ratio is the mean
 * batch size) and `vector_index_search_seconds_total` (the worker's time in FAISS). Registered as plain
 * collectors on the app's registry (the shape prom-client's Registry reads: name, type, get()).
 */
export function registerIndexMetrics(registry: Registry, index: VectorIndex): void {
  let pending: Promise<VectorIndexStats | undefined> | undefined;
  const read = () => {
    pending ??= index
      .stats()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    values: (s: VectorIndexStats) => Sample[],
  ) => {
    const collector = {
      name,
      type,
      help,
      aggregator: 'sum',
      async get() {
        const stats = await read();
        return { name, help, type, aggregator: 'sum', values: stats ? values(stats) : [] };
      },
      reset() {},
    };
    registry.registerMetric(collector as unknown as Parameters<Registry['registerMetric']>[0]);
  };

  metric('vector_index_cache_bytes', 'gauge', 'Estimated memory of the cached FAISS indexes', (s) => [
    { value: s.bytes },
  ]);
  metric('vector_index_cache_entries', 'gauge', 'Collections whose index is cached', (s) => [
    { value: s.entries },
  ]);
  metric('vector_index_loads_total', 'counter', 'Index loads, by what they were built from', (s) => [
    { value: s.loads.snapshot, labels: { source: 'snapshot' } },
    { value: s.loads.records, labels: { source: 'records' } },
  ]);
  metric(
    'vector_index_evictions_total',
    'counter',
    'Cached indexes dropped to stay within VECTOR_CACHE_MB',
    (s) => [{ value: s.evictions }],
  );
  metric('vector_index_snapshots_written_total', 'counter', 'Encrypted index snapshots written', (s) => [
    { value: s.snapshotsWritten },
  ]);
  metric('vector_index_search_calls_total', 'counter', 'FAISS search calls (one per batch)', (s) => [
    { value: s.searchCalls },
  ]);
  metric('vector_index_search_queries_total', 'counter', 'Queries answered by those calls', (s) => [
    { value: s.searchQueries },
  ]);
  metric(
    'vector_index_search_seconds_total',
    'counter',
    'Time the index worker spent in FAISS searches',
    (s) => [{ value: s.searchSeconds }],
  );
  metric(
    'vector_index_rebuilds_total',
    'counter',
    'HNSW graphs compacted after deletes, and auto indexes switched between flat and HNSW',
    (s) => [{ value: s.rebuilds }],
  );
  metric(
    'vector_index_builds_running',
    'gauge',
    'Indexes being built in the background (searched through the old index meanwhile)',
    (s) => [{ value: s.building }],
  );
}
