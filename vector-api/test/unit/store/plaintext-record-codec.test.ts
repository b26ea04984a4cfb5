import { expect } from 'chai';
import { createPlaintextRecordCodec } from '../../../src/store/plaintext-record-codec.ts';

const address = { principal: 'p', collectionId: 'c', recordId: 'r', seq: 1 };

describe('createPlaintextRecordCodec', () => {
  it('round-trips a float32 vector and its metadata', async () => {
    const codec = await createPlaintextRecordCodec().forPrincipal('p');
    const vector = Float32Array.from([1.5, -2.25, 3e-7, 0]);
    const bytes = codec.encode({ vector, metadata: { title: 'é', n: [1, 2] } }, address);
    expect(bytes.byteLength).to.equal(5 + 16 + Buffer.byteLength(JSON.stringify({ title: 'é', n: [1, 2] })));
    const back = codec.decode(bytes, address);
    expect(Array.from(back.vector)).to.deep.equal(Array.from(vector));
    expect(back.metadata).to.deep.equal({ title: 'é', n: [1, 2] });
  });

  it('stores no metadata as null', async () => {
    const codec = await createPlaintextRecordCodec().forPrincipal('p');
    const back = codec.decode(
      codec.encode({ vector: Float32Array.from([1]), metadata: null }, address),
      address,
    );
    expect(back.metadata).to.equal(null);
  });

  it('refuses unknown or truncated payloads', async () => {
    const codec = await createPlaintextRecordCodec().forPrincipal('p');
    expect(() => codec.decode(Buffer.from([9, 0, 0, 0, 0]), address)).to.throw(/format/);
    expect(() => codec.decode(Buffer.from([1, 4, 0, 0, 0, 1, 2]), address)).to.throw(/truncated/);
  });
});
