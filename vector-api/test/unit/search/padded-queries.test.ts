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

  async function fixture(metric: 'l2' | 'ip') {
    const run = await runScript(
      'vector-api/test/support/padded-search-fixture.ts',
      ['--metric', metric, '--sizes', '1,2,7,19'],
      {},
    );
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as { unpadded: Answer[]; padded: Answer[][]; alone: Answer[] };
    expect(out.unpadded).to.have.length(BLAS_THRESHOLD);
    expect(out.padded.map((answers) => answers.length)).to.deep.equal([1, 2, 7, 19]);
    for (const answer of [...out.unpadded, ...out.alone]) expect(answer.labels).to.have.length(10);
    return out;
  }

  it('answers padded batches of an inner-product index exactly as an unpadded batch of 20', async function () {
    this.timeout(60_000);
    const { unpadded, padded, alone } = await fixture('ip');
    for (const answers of padded) expect(answers).to.deep.equal(unpadded.slice(0, answers.length));
    expect(alone).to.deep.equal(unpadded);
  });

  it('leaves L2 batches below 20 unpadded: exact distances, 0 from a stored vector to itself', async function () {
    this.timeout(60_000);
    const { padded, alone } = await fixture('l2');
    for (const answers of padded) expect(answers).to.deep.equal(alone.slice(0, answers.length));
    expect(alone[0]?.labels[0]).to.equal(0);
    expect(alone[0]?.distances[0]).to.equal(0);
  });
});
