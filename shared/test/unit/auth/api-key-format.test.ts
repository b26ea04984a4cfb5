import { expect } from 'chai';
import {
  API_KEY_LENGTH,
  apiKeyDisplayPrefix,
  apiKeyHash,
  isApiKeyShaped,
  newApiKey,
} from '../../../src/auth/api-key-format.ts';

describe('API key format', () => {
  it('makes keys with the vak_ prefix, a fixed length, base62 only, and a checksum that holds', () => {
    const keys = Array.from({ length: 500 }, newApiKey);
    for (const key of keys) {
      expect(key).to.match(/^vak_[0-9A-Za-z]{42}$/);
      expect(key).to.have.length(API_KEY_LENGTH);
      expect(isApiKeyShaped(key), key).to.equal(true);
    }
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it('draws every base62 character about as often (no modulo bias toward the first ones)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of newApiKey().slice(4, 40)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).to.equal(62);
    const expected = (2000 * 36) / 62; // ~1161 each, sd ~34; a modulo bias would put 8 of them 21% above
    for (const [c, n] of counts) expect(Math.abs(n - expected), c).to.be.below(expected * 0.15);
  });

  it('tells a real key from a lookalike by its checksum: any one character changed is caught', () => {
    const key = newApiKey();
    for (let at = 4; at < key.length; at++) {
      const c = key[at] === 'a' ? 'b' : 'a';
      const changed = key.slice(0, at) + c + key.slice(at + 1);
      expect(isApiKeyShaped(changed), changed).to.equal(false);
    }
  });

  it('refuses the wrong prefix, length or alphabet', () => {
    const key = newApiKey();
    for (const bad of [
      `vaK_${key.slice(4)}`,
      `xak_${key.slice(4)}`,
      key.slice(0, -1),
      `${key}0`,
      `${key.slice(0, 10)}-${key.slice(11)}`,
      '',
      'vak_',
      'eyJhbGciOiJFUzI1NiJ9.e30.sig',
    ]) {
      expect(isApiKeyShaped(bad), bad).to.equal(false);
    }
  });

  it('stores a SHA-256 fingerprint and shows only the first characters', () => {
    const key = newApiKey();
    expect(apiKeyHash(key)).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(apiKeyHash(key)).to.equal(apiKeyHash(key));
    expect(apiKeyHash(key)).to.not.equal(apiKeyHash(newApiKey()));
    expect(apiKeyDisplayPrefix(key)).to.equal(key.slice(0, 12));
  });
});
