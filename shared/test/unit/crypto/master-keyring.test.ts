import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DecryptionError, UnknownMasterKeyError } from '../../../src/crypto/decryption-error.ts';
import { createMasterKeyring, masterKeyId } from '../../../src/crypto/master-keyring.ts';

describe('master keyring', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  it('wraps with the first key and unwraps with any listed key', () => {
    const before = createMasterKeyring([oldKey]);
    const wrapped = before.wrap(Buffer.from('data key'), 'principal:alice');
    const rotated = createMasterKeyring([newKey, oldKey]);
    expect(rotated.unwrap(wrapped, 'principal:alice').toString()).to.equal('data key');
    expect(rotated.wrap(Buffer.from('x'), 'a').keyId)
      .to.equal(rotated.primaryId)
      .and.not.equal(before.primaryId);
  });

  it('fails clearly when the wrapping key is no longer listed or the AAD differs', () => {
    const wrapped = createMasterKeyring([oldKey]).wrap(Buffer.from('k'), 'principal:alice');
    expect(() => createMasterKeyring([newKey]).unwrap(wrapped, 'principal:alice')).to.throw(
      DecryptionError,
      'not configured',
    );
    expect(() => createMasterKeyring([oldKey]).unwrap(wrapped, 'principal:bob')).to.throw(DecryptionError);
  });

  it('tells an unlisted master key apart by its error class and code, naming the key', () => {
    const wrapped = createMasterKeyring([oldKey]).wrap(Buffer.from('k'), 'principal:alice');
    let unlisted: unknown;
    try {
      createMasterKeyring([newKey]).unwrap(wrapped, 'principal:alice');
    } catch (err) {
      unlisted = err;
    }
    expect(unlisted).to.be.instanceOf(UnknownMasterKeyError);
    expect((unlisted as UnknownMasterKeyError).code).to.equal('ERR_UNKNOWN_MASTER_KEY');
    expect((unlisted as UnknownMasterKeyError).keyId).to.equal(masterKeyId(Buffer.from(oldKey, 'base64')));
    let tampered: unknown;
    try {
      createMasterKeyring([oldKey]).unwrap(wrapped, 'principal:bob');
    } catch (err) {
      tampered = err;
    }
    expect(tampered).to.be.instanceOf(DecryptionError).and.not.instanceOf(UnknownMasterKeyError);
    expect((tampered as DecryptionError).code).to.equal('ERR_DECRYPTION');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createMasterKeyring([Buffer.alloc(16).toString('base64')])).to.throw('32 bytes');
  });
});
