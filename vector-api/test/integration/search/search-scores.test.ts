import { expect } from 'chai';
import type { FaissIndex } from '../../../src/search/faiss.ts';
import { runScript } from '../../support/run-script.ts';

type Answer = ReturnType<FaissIndex['search']>[number];
interface Fixture {
  vectors: number[][];
  queries: number[];
  whole: Answer[];
  batches: Answer[][];
  alone: Answer[];
  fromReversed: Answer[];
  fromReloaded: Answer[];
}

/** The score of one pair in double precision, rounded to float32 as the API returns it. */
function exactScore(metric: 'l2' | 'ip', x: number[], y: number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.fround(x[i] as number);
    const b = Math.fround(y[i] as number);
    sum += metric === 'l2' ? (a - b) * (a - b) : a * b;
  }
  return Math.fround(sum);
}

describe('search scores do not depend on the batch, the code path or how the index was built', function () {
  this.timeout(60_000);
  const DIMENSION = 32;

  async function fixture(metric: 'l2' | 'ip'): Promise<Fixture> {
    const run = await runScript(
      'vector-api/test/support/batch-search-fixture.ts',
      ['--metric', metric, '--sizes', '1,2,7,19', '--dimension', String(DIMENSION)],
      {},
    );
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as Fixture;
    expect(out.whole).to.have.length(20);
    expect(out.batches.map((answers) => answers.length)).to.deep.equal([1, 2, 7, 19]);
    for (const answer of [...out.whole, ...out.alone]) expect(answer.labels).to.have.length(10);
    return out;
  }

  for (const metric of ['ip', 'l2'] as const) {
    it(`${metric}: every batch size, a lone query, another row order and a reload answer alike`, async () => {
      const out = await fixture(metric);
      for (const answers of out.batches) expect(answers).to.deep.equal(out.whole.slice(0, answers.length));
      expect(out.alone).to.deep.equal(out.whole);
      // The same vectors at other positions (where BLAS rounds differently) score the same.
      expect(out.fromReversed).to.deep.equal(out.whole);
      expect(out.fromReloaded).to.deep.equal(out.whole);
    });

    it(`${metric}: scores are the double-precision score of each pair, best first`, async () => {
      const out = await fixture(metric);
      out.whole.forEach((answer, q) => {
        const query = out.queries.slice(q * DIMENSION, (q + 1) * DIMENSION);
        answer.labels.forEach((label, j) => {
          expect(answer.distances[j]).to.equal(exactScore(metric, query, out.vectors[label] as number[]));
        });
        const sorted = [...answer.distances].sort((a, b) => (metric === 'l2' ? a - b : b - a));
        expect(answer.distances).to.deep.equal(sorted);
      });
    });
  }

  it('l2: a stored vector is at distance exactly 0 from itself, also in a batch computed with BLAS', async () => {
    const out = await fixture('l2');
    for (const answer of [out.whole[0], out.alone[0], out.batches[3]?.[0]]) {
      expect(answer?.labels[0]).to.equal(0);
      expect(answer?.distances[0]).to.equal(0);
    }
  });
});
