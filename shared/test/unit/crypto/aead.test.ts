import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { open, seal } from '../../../src/crypto/aead.ts';
import { DecryptionError } from '../../../src/crypto/decryption-error.ts';

describe('aead', () => {
  const key = randomBytes(32);

  it('round-trips under the same key and AAD', () => {
    const sealed = seal(key, Buffer.from('vector bytes'), 'principal:a/record:1');
    expect(open(key, sealed, 'principal:a/record:1').toString()).to.equal('vector bytes');
  });

  it('refuses a ciphertext opened under another AAD (rows cannot be swapped)', () => {
    const sealed = seal(key, Buffer.from('x'), 'principal:a/record:1');
    expect(() => open(key, sealed, 'principal:b/record:1')).to.throw(DecryptionError);
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const sealed = seal(key, Buffer.from('hello'), 'aad');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, tampered, 'aad')).to.throw(DecryptionError);
    expect(() => open(randomBytes(32), sealed, 'aad')).to.throw(DecryptionError);
    expect(() => open(key, Buffer.alloc(5), 'aad')).to.throw(DecryptionError);
  });

  it('uses a fresh IV each time', () => {
    const a = seal(key, Buffer.from('same'), 'aad');
    const b = seal(key, Buffer.from('same'), 'aad');
    expect(a.equals(b)).to.equal(false);
  });
});
