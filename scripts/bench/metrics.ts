import type { HttpClient } from './http-client.ts';

/**
 * One sample of a Prometheus text exposition by metric name and, optionally, one label
 * (`source="snapshot"`; other labels, like `service`, ignored); 0 when absent.
 */
export function metricValue(exposition: string, name: string, label?: string): number {
  for (const line of exposition.split('\n')) {
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] === name && (!label || (m[2] ?? '').split(',').includes(label))) return Number(m[3]);
  }
  return 0;
}

/** The vector API's index cache counters (vector-api/src/search/index-metrics.ts), read once. */
export interface IndexCounters {
  loadsFromSnapshot: number;
  loadsFromRecords: number;
  evictions: number;
  entries: number;
  bytes: number;
}

export async function readIndexCounters(http: HttpClient, vectorUrl: string): Promise<IndexCounters> {
  const text = (await http.send('GET', `${vectorUrl}/metrics`)).body;
  return {
    loadsFromSnapshot: metricValue(text, 'vector_index_loads_total', 'source="snapshot"'),
    loadsFromRecords: metricValue(text, 'vector_index_loads_total', 'source="records"'),
    evictions: metricValue(text, 'vector_index_evictions_total'),
    entries: metricValue(text, 'vector_index_cache_entries'),
    bytes: metricValue(text, 'vector_index_cache_bytes'),
  };
}
