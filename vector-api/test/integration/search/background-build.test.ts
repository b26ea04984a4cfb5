import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';

interface Outcome {
  kind: string;
  size: number;
  ids: string[];
  masked: number;
  consistent: boolean;
  calls: string[];
  building: boolean;
}

describe('background index builds', function () {
  this.timeout(120_000);
  let out: Record<'graph' | 'compact' | 'abandoned', Outcome>;
  before(async () => {
    const run = await runScript('vector-api/test/support/background-build-fixture.ts', [], {});
    expect(run.code, run.stderr).to.equal(0);
    out = JSON.parse(run.stdout);
  });

  it('builds a graph in several slices, carrying writes made meanwhile: masks stay masks, appends come last', () => {
    const { graph } = out;
    expect(graph.kind).to.equal('hnsw');
    expect(graph.calls.filter((c) => c === 'step').length).to.be.above(1);
    expect(graph.calls.at(-1)).to.equal('done');
    expect(graph.size).to.equal(6050);
    expect(graph.masked).to.equal(101);
    // The labels the build read (all 6000 live at its start) in order, those masked meanwhile still
    // masked, then the vectors appended meanwhile (n0 masked after it was appended).
    expect(graph.ids).to.deep.equal([
      ...Array.from({ length: 100 }, () => ''),
      ...Array.from({ length: 5900 }, (_, i) => `v${i + 100}`),
      '',
      ...Array.from({ length: 49 }, (_, i) => `n${i + 1}`),
    ]);
    expect(graph.consistent, 'each live label holds its own vector').to.equal(true);
    expect(graph.building).to.equal(false);
  });

  it('compacts a half-masked graph into the flat index its settings want, with no masks left', () => {
    const { compact } = out;
    expect(compact.kind).to.equal('flat');
    expect(compact.masked).to.equal(0);
    expect(compact.ids).to.deep.equal(Array.from({ length: 200 }, (_, i) => `v${2 * i + 1}`));
    expect(compact.size).to.equal(200);
    expect(compact.consistent).to.equal(true);
  });

  it('abandons a build whose entry is no longer cached, freeing the new index and keeping the old', () => {
    const { abandoned } = out;
    expect(abandoned.calls).to.not.include('done');
    expect(abandoned.building).to.equal(false);
    expect(abandoned.kind).to.equal('flat');
    expect(abandoned.size).to.equal(6000);
    expect(abandoned.consistent).to.equal(true);
  });
});
