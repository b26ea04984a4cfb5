import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { AadContext } from '../../../src/crypto/aad.ts';
import { DecryptionError, UnknownMasterKeyError } from '../../../src/crypto/decryption-error.ts';
import { createMasterKeyring, masterKeyId } from '../../../src/crypto/master-keyring.ts';
import { legacyWrap } from '../../support/legacy-seal.ts';

describe('master keyring', () => {
  const dataKeyOf = (principal: string): AadContext => ({ purpose: 'data-key', principal, dataKeyId: 'd1' });
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  it('wraps with the first key and unwraps with any listed key', () => {
    const before = createMasterKeyring([oldKey]);
    const wrapped = before.wrap(Buffer.from('data key'), dataKeyOf('alice'));
    const rotated = createMasterKeyring([newKey, oldKey]);
    expect(rotated.unwrap(wrapped, dataKeyOf('alice')).toString()).to.equal('data key');
    expect(rotated.wrap(Buffer.from('x'), dataKeyOf('a')).keyId)
      .to.equal(rotated.primaryId)
      .and.not.equal(before.primaryId);
  });

  it('fails clearly when the wrapping key is no longer listed or the AAD differs', () => {
    const wrapped = createMasterKeyring([oldKey]).wrap(Buffer.from('k'), dataKeyOf('alice'));
    expect(() => createMasterKeyring([newKey]).unwrap(wrapped, dataKeyOf('alice'))).to.throw(
      DecryptionError,
      'not configured',
    );
    expect(() => createMasterKeyring([oldKey]).unwrap(wrapped, dataKeyOf('bob'))).to.throw(DecryptionError);
  });

  it('tells an unlisted master key apart by its error class and code, naming the key', () => {
    const wrapped = createMasterKeyring([oldKey]).wrap(Buffer.from('k'), dataKeyOf('alice'));
    let unlisted: unknown;
    try {
      createMasterKeyring([newKey]).unwrap(wrapped, dataKeyOf('alice'));
    } catch (err) {
      unlisted = err;
    }
    expect(unlisted).to.be.instanceOf(UnknownMasterKeyError);
    expect((unlisted as UnknownMasterKeyError).code).to.equal('ERR_UNKNOWN_MASTER_KEY');
    expect((unlisted as UnknownMasterKeyError).keyId).to.equal(masterKeyId(Buffer.from(oldKey, 'base64')));
    let tampered: unknown;
    try {
      createMasterKeyring([oldKey]).unwrap(wrapped, dataKeyOf('bob'));
    } catch (err) {
      tampered = err;
    }
    expect(tampered).to.be.instanceOf(DecryptionError).and.not.instanceOf(UnknownMasterKeyError);
    expect((tampered as DecryptionError).code).to.equal('ERR_DECRYPTION');
  });

  it('tells what rotation must rewrap: another master key, or an older AAD format', () => {
    const keyring = createMasterKeyring([newKey, oldKey]);
    const fresh = keyring.wrap(Buffer.from('k'), dataKeyOf('alice'));
    expect(keyring.isCurrent(fresh)).to.equal(true);
    expect(
      keyring.isCurrent(createMasterKeyring([oldKey]).wrap(Buffer.from('k'), dataKeyOf('alice'))),
    ).to.equal(false);
    const legacy = legacyWrap(newKey, Buffer.from('k'), dataKeyOf('alice'));
    expect(legacy.keyId).to.equal(keyring.primaryId);
    expect(keyring.isCurrent(legacy)).to.equal(false);
    expect(keyring.unwrap(legacy, dataKeyOf('alice')).toString()).to.equal('k');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createMasterKeyring([Buffer.alloc(16).toString('base64')])).to.throw('32 bytes');
  });
});
