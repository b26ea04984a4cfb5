import { expect } from 'chai';
import { CacheBudget } from '../../../src/search/cache-budget.ts';

describe('CacheBudget', () => {
  it('evicts the least recently used entries until the rest fit', () => {
    const budget = new CacheBudget(100);
    expect(budget.touch('a', 40)).to.deep.equal([]);
    expect(budget.touch('b', 40)).to.deep.equal([]);
    expect(budget.touch('a', 40)).to.deep.equal([]); // a is now the most recent
    expect(budget.touch('c', 40)).to.deep.equal(['b']);
    expect(budget.totalBytes).to.equal(80);
  });

  it('keeps the entry just used even when it alone is over budget', () => {
    const budget = new CacheBudget(100);
    budget.touch('a', 30);
    expect(budget.touch('huge', 500)).to.deep.equal(['a']);
    expect(budget.totalBytes).to.equal(500);
    expect(budget.touch('b', 10)).to.deep.equal(['huge']);
  });

  it('follows size changes and forgets dropped entries', () => {
    const budget = new CacheBudget(100);
    budget.touch('a', 10);
    budget.touch('a', 60);
    expect(budget.totalBytes).to.equal(60);
    budget.forget('a');
    expect(budget.totalBytes).to.equal(0);
  });
});
