import { expect } from 'chai';
import { packRows } from '../../../src/store/packed-rows.ts';

describe('packRows', () => {
  it('packs payloads back to back, row i at offsets[i] .. offsets[i+1], a tombstone as an empty range', () => {
    const packed = packRows(
      ['a', 'b', 'c'],
      [1, 2, 3],
      [Buffer.from([1, 2]), Buffer.alloc(0), Buffer.from([3])],
    );
    expect(packed.ids).to.deep.equal(['a', 'b', 'c']);
    expect(packed.seqs).to.deep.equal([1, 2, 3]);
    expect([...packed.offsets]).to.deep.equal([0, 2, 2, 3]);
    expect([...packed.payloads]).to.deep.equal([1, 2, 3]);
  });

  it('packs no rows into one zero offset and an empty buffer', () => {
    const packed = packRows([], [], []);
    expect([...packed.offsets]).to.deep.equal([0]);
    expect(packed.payloads.length).to.equal(0);
  });
});
