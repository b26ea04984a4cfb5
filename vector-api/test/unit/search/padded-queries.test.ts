import { expect } from 'chai';
import type { FlatIndex } from '../../../src/search/faiss.ts';
import { BLAS_THRESHOLD, paddedQueries } from '../../../src/search/padded-queries.ts';
import { runScript } from '../../support/run-script.ts';

type Answer = ReturnType<FlatIndex['search']>[number];

describe('paddedQueries', () => {
  const d = 3;
  const rows = (n: number) => Float32Array.from({ length: n * d }, (_, i) => i);

  it('pads 1 to 19 queries with copies of the last one up to the BLAS threshold', () => {
    const queries = rows(7);
    const padded = paddedQueries(queries, d);
    expect(padded.length).to.equal(BLAS_THRESHOLD * d);
    expect([...padded.subarray(0, 7 * d)]).to.deep.equal([...queries]);
    for (let i = 7; i < BLAS_THRESHOLD; i++) {
      expect([...padded.subarray(i * d, (i + 1) * d)]).to.deep.equal([...queries.subarray(6 * d)]);
    }
    expect([...paddedQueries(rows(1), d)]).to.deep.equal(
      Array.from({ length: BLAS_THRESHOLD }, () => [0, 1, 2]).flat(),
    );
    expect(paddedQueries(rows(2), d).length).to.equal(BLAS_THRESHOLD * d);
    expect(paddedQueries(rows(19), d).length).to.equal(BLAS_THRESHOLD * d);
  });

  it('leaves 20 queries or more as they are', () => {
    for (const n of [BLAS_THRESHOLD, 64]) {
      const queries = rows(n);
      expect(paddedQueries(queries, d)).to.equal(queries);
    }
  });

  for (const metric of ['l2', 'ip']) {
    it(`answers padded batches (${metric}) exactly as an unpadded batch of 20`, async function () {
      this.timeout(60_000);
      const run = await runScript(
        'vector-api/test/support/padded-search-fixture.ts',
        ['--metric', metric, '--sizes', '1,2,7,19'],
        {},
      );
      expect(run.code, run.stderr).to.equal(0);
      const { unpadded, padded } = JSON.parse(run.stdout) as { unpadded: Answer[]; padded: Answer[][] };
      expect(unpadded).to.have.length(BLAS_THRESHOLD);
      expect(padded.map((answers) => answers.length)).to.deep.equal([1, 2, 7, 19]);
      for (const answers of padded) {
        expect(answers).to.deep.equal(unpadded.slice(0, answers.length));
        for (const answer of answers) expect(answer.labels).to.have.length(10);
      }
    });
  }
});
