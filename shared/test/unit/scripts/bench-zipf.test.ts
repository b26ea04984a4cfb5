import { expect } from 'chai';
import { seededRandom } from '../../../../scripts/bench/dataset.ts';
import { createZipfSampler, zipfHeadShare } from '../../../../scripts/bench/zipf.ts';

describe('bench: Zipf sampler', () => {
  it('draws ranks in 0..n-1 with frequencies proportional to 1/(r+1)^s', () => {
    const n = 50;
    const draw = createZipfSampler(n, 1, seededRandom(5));
    const counts = new Array<number>(n).fill(0);
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      const r = draw();
      expect(r).to.be.within(0, n - 1);
      counts[r]!++;
    }
    const total = Array.from({ length: n }, (_, r) => 1 / (r + 1)).reduce((a, b) => a + b);
    for (const r of [0, 1, 4, 49]) {
      const expected = 1 / (r + 1) / total;
      expect(counts[r]! / draws).to.be.closeTo(expected, expected * 0.1 + 0.001);
    }
    expect(counts[0]).to.be.greaterThan(counts[1]!);
  });

  it('is uniform at s = 0 and a single rank when n = 1', () => {
    const uniform = createZipfSampler(4, 0, seededRandom(9));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[uniform()]!++;
    for (const c of counts) expect(c / 40_000).to.be.closeTo(0.25, 0.02);
    const one = createZipfSampler(1, 1.2, Math.random);
    expect(one()).to.equal(0);
  });

  it('gives the last rank for a draw at the very top of [0, 1)', () => {
    expect(createZipfSampler(10, 1, () => 0.999_999_999)()).to.equal(9);
    expect(createZipfSampler(10, 1, () => 0)()).to.equal(0);
  });

  it('refuses an empty range or a negative exponent', () => {
    expect(() => createZipfSampler(0, 1, Math.random)).to.throw(/n must be/);
    expect(() => createZipfSampler(3, -1, Math.random)).to.throw(/s must be/);
  });

  it('knows the share of the head (what a perfect cache of that many entries hits)', () => {
    expect(zipfHeadShare(4, 0, 1)).to.equal(0.25);
    expect(zipfHeadShare(3, 1, 1)).to.be.closeTo(1 / (1 + 1 / 2 + 1 / 3), 1e-12);
    expect(zipfHeadShare(3, 1, 3)).to.equal(1);
  });
});
