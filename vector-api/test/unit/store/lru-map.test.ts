import { expect } from 'chai';
import { LruMap } from '../../../src/store/lru-map.ts';

describe('LruMap', () => {
  it('drops the least recently used entry beyond its capacity', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).to.equal(1);
    map.set('c', 3);
    expect(map.get('b')).to.equal(undefined);
    expect(map.get('a')).to.equal(1);
    expect(map.get('c')).to.equal(3);
    expect(map.size).to.equal(2);
  });
});
