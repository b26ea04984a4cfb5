import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createEncryptedRecordCodec } from '../../../src/store/encrypted-record-codec.ts';
import { createPlaintextRecordCodec } from '../../../src/store/plaintext-record-codec.ts';
import type { DataKey, RecordAddress } from '../../../src/store/record-codec.ts';
import { StoredDataUnreadableError } from '../../../src/store/stored-data-errors.ts';

const address: RecordAddress = { principal: 'alice', collectionId: 'c1', recordId: 'r1', seq: 7 };
const key = (): DataKey => ({ id: randomUUID(), key: randomBytes(32) });
const vector = Float32Array.from([1.5, -2.25, 3e-7, 0]);
const metadata = { title: 'é', n: [1, 2] };

describe('plaintext record codec', () => {
  const codec = createPlaintextRecordCodec();

  it('round-trips a float32 vector and its metadata in the documented layout', () => {
    const bytes = codec.encode(null, { vector, metadata }, address);
    expect(bytes.byteLength).to.equal(5 + 16 + Buffer.byteLength(JSON.stringify(metadata)));
    const back = codec.decode(null, bytes, address);
    expect(Array.from(back.vector)).to.deep.equal(Array.from(vector));
    expect(back.metadata).to.deep.equal(metadata);
  });

  it('stores no metadata as null', () => {
    const back = codec.decode(null, codec.encode(null, { vector, metadata: null }, address), address);
    expect(back.metadata).to.equal(null);
  });

  it('refuses unknown or truncated payloads with a typed error', () => {
    expect(() => codec.decode(null, Buffer.from([9, 0, 0, 0, 0]), address)).to.throw(
      StoredDataUnreadableError,
    );
    expect(() => codec.decode(null, Buffer.from([1, 4, 0, 0, 0, 1, 2]), address)).to.throw(
      StoredDataUnreadableError,
    );
  });
});

describe('AES-256-GCM record codec', () => {
  const codec = createEncryptedRecordCodec();

  it('round-trips under the same key and address', () => {
    const k = key();
    const sealed = codec.encode(k, { vector, metadata }, address);
    const back = codec.decode(k, sealed, address);
    expect(Array.from(back.vector)).to.deep.equal(Array.from(vector));
    expect(back.metadata).to.deep.equal(metadata);
  });

  it('leaves neither the float bytes nor the metadata in the ciphertext', () => {
    const sealed = codec.encode(key(), { vector, metadata: { secret: 'needle-in-metadata' } }, address);
    expect(sealed.includes(Buffer.from(vector.buffer))).to.equal(false);
    expect(sealed.includes(Buffer.from('needle-in-metadata'))).to.equal(false);
  });

  it('refuses a payload moved to another principal, collection, record or version', () => {
    const k = key();
    const sealed = codec.encode(k, { vector, metadata }, address);
    for (const elsewhere of [
      { ...address, principal: 'bob' },
      { ...address, collectionId: 'c2' },
      { ...address, recordId: 'r2' },
      { ...address, seq: 8 },
    ]) {
      expect(() => codec.decode(k, sealed, elsewhere)).to.throw(StoredDataUnreadableError, /r\d/);
    }
    expect(() => codec.decode(key(), sealed, address)).to.throw(StoredDataUnreadableError);
  });

  it('keeps fields apart whatever characters a principal holds', () => {
    const k = key();
    const tricky = { ...address, principal: 'a","c1', collectionId: 'x' };
    const sealed = codec.encode(k, { vector, metadata }, tricky);
    expect(() => codec.decode(k, sealed, { ...address, principal: 'a', collectionId: 'c1","x' })).to.throw(
      StoredDataUnreadableError,
    );
  });

  it('binds snapshots to principal, collection, version and header', () => {
    const k = key();
    const at = { principal: 'alice', collectionId: 'c1', version: 4, header: '{"v":4}' };
    const sealed = codec.sealSnapshot(k, Buffer.from('index bytes'), at);
    expect(codec.openSnapshot(k, sealed, at).toString()).to.equal('index bytes');
    expect(() => codec.openSnapshot(k, sealed, { ...at, version: 5 })).to.throw();
    expect(() => codec.openSnapshot(k, sealed, { ...at, principal: 'bob' })).to.throw();
    expect(() => codec.openSnapshot(k, sealed, { ...at, header: '{"v":5}' })).to.throw();
  });
});
