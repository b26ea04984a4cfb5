import { expect } from 'chai';
import { randomVectors, randomVectorsF32, seededRandom } from '../../../../scripts/bench/dataset.ts';

describe('bench: deterministic data', () => {
  it('draws the same numbers in [0, 1) for the same seed, others for another', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const fromA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).to.deep.equal(fromA);
    expect(Array.from({ length: 100 }, c)).to.not.deep.equal(fromA);
    for (const x of fromA) expect(x).to.be.within(0, 0.999_999_999_9);
  });

  it('gives the same vectors as JSON-ready arrays and as one Float32Array', () => {
    const arrays = randomVectors(3, 8, 7);
    const packed = randomVectorsF32(3, 8, 7);
    expect(arrays.map((v) => v.length)).to.deep.equal([8, 8, 8]);
    arrays.flat().forEach((x, i) => {
      expect(packed[i]).to.be.closeTo(x, 1e-6);
    });
  });
});
