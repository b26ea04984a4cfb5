import { expect } from 'chai';
import { type RewrapStep, runRewrapSteps } from '../../../src/crypto/rewrap-step.ts';

/** A step over `n` secrets, rewrapping `batch` per call. */
function fakeStep(name: string, n: number, batch: number): RewrapStep & { left: () => number } {
  let left = n;
  return {
    name,
    left: () => left,
    count: async () => left,
    rewrapBatch: async () => {
      const done = Math.min(batch, left);
      left -= done;
      return done;
    },
  };
}

describe('runRewrapSteps', () => {
  it('runs each step in order until nothing is left, reporting progress', async () => {
    const a = fakeStep('a', 5, 2);
    const b = fakeStep('b', 0, 2);
    const events: string[] = [];
    const totals = await runRewrapSteps([a, b], {
      onStart: (s, n) => events.push(`start ${s.name} ${n}`),
      onProgress: (s, n) => events.push(`${s.name} ${n}`),
      onFinish: (s, n) => events.push(`finish ${s.name} ${n}`),
    });
    expect(events).to.deep.equal(['start a 5', 'a 2', 'a 4', 'a 5', 'finish a 5', 'start b 0', 'finish b 0']);
    expect([...totals]).to.deep.equal([
      ['a', 5],
      ['b', 0],
    ]);
    expect(a.left()).to.equal(0);
  });

  it('picks up where an interrupted run stopped', async () => {
    const a = fakeStep('a', 5, 2);
    await a.rewrapBatch(); // a first run that stopped after one batch
    const totals = await runRewrapSteps([a]);
    expect(totals.get('a')).to.equal(3);
  });
});
