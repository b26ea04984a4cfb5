import { expect } from 'chai';
import { checkRowCodec } from '../../../src/store/check-row-codec.ts';
import { createPlaintextRecordCodec } from '../../../src/store/plaintext-record-codec.ts';
import { StoredDataUnreadableError } from '../../../src/store/stored-data-errors.ts';

describe('checkRowCodec', () => {
  const codec = createPlaintextRecordCodec();

  it('accepts a row written with the codec this server reads', () => {
    expect(() => checkRowCodec(codec, 'v1', 'plain-v1')).not.to.throw();
  });

  it('refuses a row written with another codec, naming the vector and both codecs', () => {
    expect(() => checkRowCodec(codec, 'v1', 'aes-256-gcm-v1'))
      .to.throw(StoredDataUnreadableError)
      .with.property(
        'message',
        'stored vector "v1" was written with codec aes-256-gcm-v1; this server reads plain-v1',
      );
  });
});
