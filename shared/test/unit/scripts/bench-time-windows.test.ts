import { expect } from 'chai';
import { growthPercent, type Sample, windowsOf } from '../../../../scripts/bench/time-windows.ts';

describe('bench: latency and errors per window of time (soak)', () => {
  const s = (at: number, ms: number, status = 200, ok = status === 200): Sample => ({ at, ms, status, ok });

  it('puts each sample in the window it was due in, with nearest-rank percentiles', () => {
    const samples = [s(10, 5), s(59_999, 1), s(60_000, 100), s(61_000, 200), s(125_000, 7)];
    const windows = windowsOf(samples, 60_000);
    expect(windows.map((w) => w.count)).to.deep.equal([2, 2, 1]);
    expect(windows[0]).to.include({ index: 0, p50Ms: 1, p99Ms: 5 });
    expect(windows[1]).to.include({ index: 1, p50Ms: 100, p99Ms: 200 });
    expect(windows[2]).to.include({ index: 2, p50Ms: 7, p99Ms: 7 });
  });

  it('lists an empty window between busy ones (a stall shows up as a gap, not as nothing)', () => {
    const windows = windowsOf([s(0, 1), s(2500, 1)], 1000);
    expect(windows.map((w) => w.count)).to.deep.equal([1, 0, 1]);
    expect(Number.isNaN(windows[1]!.p99Ms)).to.equal(true);
  });

  it('counts 5xx apart from other failures, and an expected non-200 (a revoked token: 401) as no error', () => {
    const windows = windowsOf(
      [s(0, 1, 503), s(1, 1, 500), s(2, 1, 429), s(3, 1, 0), s(4, 1, 401, true), s(5, 1, 200, false)],
      1000,
    );
    expect(windows[0]).to.include({ serverErrors: 2, otherErrors: 3 });
  });

  it('computes growth in percent, NaN without a baseline', () => {
    expect(growthPercent(80, 90)).to.equal(12.5);
    expect(growthPercent(100, 95)).to.equal(-5);
    expect(Number.isNaN(growthPercent(0, 10))).to.equal(true);
  });
});
