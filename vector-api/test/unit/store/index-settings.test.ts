import { expect } from 'chai';
import {
  AUTO_HNSW_FROM,
  DEFAULT_INDEX_SETTINGS,
  indexKindFor,
  indexSettingsFrom,
} from '../../../src/store/index-settings.ts';

describe('index settings', () => {
  const auto = { ...DEFAULT_INDEX_SETTINGS, type: 'auto' as const };

  it('keeps flat and hnsw whatever the size', () => {
    for (const count of [0, 1, AUTO_HNSW_FROM, 10 * AUTO_HNSW_FROM]) {
      expect(indexKindFor(DEFAULT_INDEX_SETTINGS, count)).to.equal('flat');
      expect(indexKindFor({ ...DEFAULT_INDEX_SETTINGS, type: 'hnsw' }, count)).to.equal('hnsw');
    }
  });

  it('auto: HNSW from the threshold, back to flat only under half of it', () => {
    expect(indexKindFor(auto, AUTO_HNSW_FROM - 1)).to.equal('flat');
    expect(indexKindFor(auto, AUTO_HNSW_FROM)).to.equal('hnsw');
    expect(indexKindFor(auto, AUTO_HNSW_FROM - 1, 'flat')).to.equal('flat');
    expect(indexKindFor(auto, AUTO_HNSW_FROM - 1, 'hnsw')).to.equal('hnsw');
    expect(indexKindFor(auto, AUTO_HNSW_FROM / 2, 'hnsw')).to.equal('hnsw');
    expect(indexKindFor(auto, AUTO_HNSW_FROM / 2 - 1, 'hnsw')).to.equal('flat');
  });

  it('reads a missing or damaged stored column as the defaults (flat)', () => {
    expect(indexSettingsFrom(null)).to.deep.equal(DEFAULT_INDEX_SETTINGS);
    expect(indexSettingsFrom('hnsw')).to.deep.equal(DEFAULT_INDEX_SETTINGS);
    expect(indexSettingsFrom({ type: 'ivf' }).type).to.equal('flat');
    expect(indexSettingsFrom({ type: 'hnsw', m: 8, efConstruction: 40, efSearch: 30 })).to.deep.equal({
      type: 'hnsw',
      m: 8,
      efConstruction: 40,
      efSearch: 30,
    });
  });
});
