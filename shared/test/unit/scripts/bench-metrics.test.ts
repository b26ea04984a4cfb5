import { expect } from 'chai';
import { metricValue } from '../../../../scripts/bench/metrics.ts';

describe('bench: reading the vector API metrics', () => {
  const text = [
    '# HELP vector_index_loads_total Index loads, by what they were built from',
    '# TYPE vector_index_loads_total counter',
    'vector_index_loads_total{source="snapshot",service="vector-api"} 3',
    'vector_index_loads_total{service="vector-api",source="records"} 41',
    'vector_index_evictions_total 7',
  ].join('\n');

  it('finds a sample by name and one label, ignoring the others', () => {
    expect(metricValue(text, 'vector_index_loads_total', 'source="snapshot"')).to.equal(3);
    expect(metricValue(text, 'vector_index_loads_total', 'source="records"')).to.equal(41);
    expect(metricValue(text, 'vector_index_evictions_total')).to.equal(7);
  });

  it('is 0 for a metric that is not there', () => {
    expect(metricValue(text, 'vector_index_cache_entries')).to.equal(0);
    expect(metricValue(text, 'vector_index_loads_total', 'source="other"')).to.equal(0);
  });
});
