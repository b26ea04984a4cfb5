import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';

type Answer = { labels: number[]; distances: number[] };
interface Fixture {
  vectors: number[][];
  queries: number[][];
  subsets: Record<string, { members: number[]; answers: Answer[] }>;
}

describe('filtered search over a subset: oversampled, scanned, or searched again', function () {
  this.timeout(60_000);
  let out: Fixture;
  before(async () => {
    const run = await runScript('vector-api/test/support/subset-search-fixture.ts', [], {});
    expect(run.code, run.stderr).to.equal(0);
    out = JSON.parse(run.stdout) as Fixture;
  });

  /** The k nearest members by squared L2 in double precision (float32 inputs), ties by position. */
  const exact = (members: number[], query: number[], k: number) =>
    members
      .map((i) => ({
        i,
        score: out.vectors[i]!.reduce((s, x, j) => s + (Math.fround(x) - Math.fround(query[j]!)) ** 2, 0),
      }))
      .sort((a, b) => a.score - b.score || a.i - b.i)
      .slice(0, k)
      .map((r) => r.i);

  for (const name of ['clusterB', 'quarter', 'three']) {
    it(`${name}: the subset's exact k nearest, members only`, () => {
      const { members, answers } = out.subsets[name]!;
      expect(answers).to.have.length(out.queries.length);
      answers.forEach((answer, q) => {
        expect(answer.labels).to.deep.equal(exact(members, out.queries[q]!, 10));
      });
    });
  }
});
