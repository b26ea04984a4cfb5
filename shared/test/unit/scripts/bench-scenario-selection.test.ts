import { expect } from 'chai';
import { SCENARIOS, selectScenarios } from '../../../../scripts/bench/scenario-selection.ts';

describe('bench: --only', () => {
  it('runs every scenario without --only', () => {
    expect([...selectScenarios(undefined)]).to.deep.equal([...SCENARIOS]);
    expect([...selectScenarios([])]).to.deep.equal([...SCENARIOS]);
  });

  it('takes comma-separated and repeated names, in the default order', () => {
    expect([...selectScenarios(['vector-cache, tokens', 'searches'])]).to.deep.equal([
      'tokens',
      'searches',
      'vector-cache',
    ]);
  });

  it('names an unknown scenario and lists the known ones', () => {
    expect(() => selectScenarios(['tokens,token'])).to.throw(
      /unknown scenario token; known: tokens, searches/,
    );
    expect(() => selectScenarios([','])).to.throw(/\(none given\)/);
  });
});
