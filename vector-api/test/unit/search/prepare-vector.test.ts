import { InvalidRequestError } from '@vectorauth/shared';
import { expect } from 'chai';
import { prepareVector } from '../../../src/search/prepare-vector.ts';

describe('prepareVector', () => {
  it('keeps l2 and ip vectors as float32', () => {
    expect(Array.from(prepareVector([1, 2], 2, 'l2', 'v'))).to.deep.equal([1, 2]);
    expect(Array.from(prepareVector([0.1], 1, 'ip', 'v'))).to.deep.equal([Math.fround(0.1)]);
  });

  it('normalizes cosine vectors to unit length', () => {
    const v = prepareVector([3, 4], 2, 'cosine', 'v');
    expect(v[0]).to.be.closeTo(0.6, 1e-7);
    expect(v[1]).to.be.closeTo(0.8, 1e-7);
  });

  it('refuses the wrong dimension, naming where', () => {
    expect(() => prepareVector([1, 2, 3], 2, 'l2', 'vectors.4.vector')).to.throw(
      InvalidRequestError,
      /vectors\.4\.vector: expected 2/,
    );
  });

  it('refuses a zero vector under cosine only', () => {
    expect(() => prepareVector([0, 0], 2, 'cosine', 'v')).to.throw(InvalidRequestError, /zero vector/);
    expect(Array.from(prepareVector([0, 0], 2, 'l2', 'v'))).to.deep.equal([0, 0]);
  });

  it('refuses values that overflow float32', () => {
    expect(() => prepareVector([1e39], 1, 'l2', 'v')).to.throw(InvalidRequestError, /float32/);
  });
});
