import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  decodeSnapshot,
  decodeSnapshotHeader,
  encodeSnapshot,
  principalSnapshotDir,
  type SnapshotHeader,
} from '../../../src/search/snapshot-file.ts';
import { createEncryptedRecordCodec } from '../../../src/store/encrypted-record-codec.ts';

describe('snapshot file format', () => {
  const codec = createEncryptedRecordCodec();
  const key = { id: randomUUID(), key: randomBytes(32) };
  const header: SnapshotHeader = {
    format: 1,
    collectionId: 'c1',
    version: 9,
    count: 2,
    dimension: 2,
    metric: 'l2',
    codec: 'aes-256-gcm-v1',
    dataKeyId: key.id,
  };
  const body = {
    ids: ['a', 'b'],
    metadata: [{ secret: 'meta-needle' }, null],
    index: Buffer.from('faiss-bytes'),
  };
  const file = () => Buffer.concat(encodeSnapshot(codec, key, 'alice', header, body));

  it('round-trips, with only the header in the clear', () => {
    const bytes = file();
    expect(decodeSnapshotHeader(bytes)?.header).to.deep.equal(header);
    expect(bytes.includes(Buffer.from('meta-needle'))).to.equal(false);
    expect(bytes.includes(Buffer.from('faiss-bytes'))).to.equal(false);
    const back = decodeSnapshot(codec, key, 'alice', bytes);
    expect(back.body.ids).to.deep.equal(['a', 'b']);
    expect(back.body.metadata).to.deep.equal(body.metadata);
    expect(back.body.index.toString()).to.equal('faiss-bytes');
  });

  it("refuses another principal's, an edited header, and a flipped bit", () => {
    expect(() => decodeSnapshot(codec, key, 'bob', file())).to.throw();
    const edited = file();
    const at = edited.indexOf(Buffer.from('"version":9'));
    edited.write('"version":8', at);
    expect(() => decodeSnapshot(codec, key, 'alice', edited)).to.throw();
    const flipped = file();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => decodeSnapshot(codec, key, 'alice', flipped)).to.throw();
    expect(decodeSnapshotHeader(Buffer.from('not a snapshot'))).to.equal(null);
  });

  it('names directories after a hash of the principal, whatever it holds', () => {
    const dir = principalSnapshotDir('/data', '../../etc/passwd');
    expect(dir).to.match(/^\/data\/snapshots\/[0-9a-f]{32}$/);
  });
});
