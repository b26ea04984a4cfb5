import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { AadContext } from '../../../src/crypto/aad.ts';
import { open, seal, sealedFormat } from '../../../src/crypto/aead.ts';
import { DecryptionError } from '../../../src/crypto/decryption-error.ts';
import { legacySeal } from '../../support/legacy-seal.ts';

describe('aead', () => {
  const key = randomBytes(32);
  const recordOf = (principal: string): AadContext => ({
    purpose: 'record',
    principal,
    collectionId: 'c',
    recordId: '1',
    seq: 1,
  });
  const aad: AadContext = { purpose: 'signing-key', kid: 'k1' };

  it('round-trips under the same key and AAD', () => {
    const sealed = seal(key, Buffer.from('vector bytes'), recordOf('a'));
    expect(open(key, sealed, recordOf('a')).toString()).to.equal('vector bytes');
  });

  it('refuses a ciphertext opened under another AAD (rows cannot be swapped)', () => {
    const sealed = seal(key, Buffer.from('x'), recordOf('a'));
    expect(() => open(key, sealed, recordOf('b'))).to.throw(DecryptionError);
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const sealed = seal(key, Buffer.from('hello'), aad);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, tampered, aad)).to.throw(DecryptionError);
    expect(() => open(randomBytes(32), sealed, aad)).to.throw(DecryptionError);
    expect(() => open(key, Buffer.alloc(5), aad)).to.throw(DecryptionError);
  });

  it('uses a fresh IV each time', () => {
    const a = seal(key, Buffer.from('same'), aad);
    const b = seal(key, Buffer.from('same'), aad);
    expect(a.equals(b)).to.equal(false);
  });

  it('seals in the current AAD format, named by the version byte', () => {
    const sealed = seal(key, Buffer.from('x'), aad);
    expect(sealed[0]).to.equal(2);
    expect(sealedFormat(sealed)).to.equal(2);
    expect(sealedFormat(legacySeal(key, Buffer.from('x'), aad))).to.equal(1);
  });

  it('still opens what was sealed in format 1, under its own context only', () => {
    const old = legacySeal(key, Buffer.from('old secret'), recordOf('a'));
    expect(open(key, old, recordOf('a')).toString()).to.equal('old secret');
    expect(() => open(key, old, recordOf('b'))).to.throw(DecryptionError);
  });

  it('never opens a blob whose version byte was changed (no downgrade, no upgrade)', () => {
    const current = seal(key, Buffer.from('x'), aad);
    const downgraded = Buffer.from(current);
    downgraded[0] = 1;
    expect(() => open(key, downgraded, aad)).to.throw(DecryptionError, 'does not authenticate');
    const old = legacySeal(key, Buffer.from('x'), aad);
    const upgraded = Buffer.from(old);
    upgraded[0] = 2;
    expect(() => open(key, upgraded, aad)).to.throw(DecryptionError, 'does not authenticate');
    const unknown = Buffer.from(current);
    unknown[0] = 3;
    expect(() => open(key, unknown, aad)).to.throw(DecryptionError, 'malformed');
  });
});
