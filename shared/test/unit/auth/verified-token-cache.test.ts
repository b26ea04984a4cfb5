import { expect } from 'chai';
import type { AccessTokenClaims } from '../../../src/auth/access-token-claims.ts';
import { createVerifiedTokenCache } from '../../../src/auth/verified-token-cache.ts';

describe('verified-token cache', () => {
  const claims = (exp: number, kid = 'k1'): AccessTokenClaims => ({
    sub: 's',
    clientId: 'c',
    jti: 'j',
    iat: exp - 300,
    exp,
    scopes: new Set(['vectors:read']),
    kid,
  });

  it('refuses an entry once exp is past by the tolerance, by the same whole-second rule as jose', () => {
    let nowMs = 1_000_000_000;
    const cache = createVerifiedTokenCache({ capacity: 10, clockToleranceSec: 5, now: () => nowMs });
    const exp = nowMs / 1000 + 60;
    cache.set('t', claims(exp), 0);
    expect(cache.get('t', 0)?.exp).to.equal(exp);
    nowMs = (exp + 5) * 1000 - 1; // floor(now) - 5 = exp - 1 < exp: still valid
    expect(cache.get('t', 0)).to.not.equal(undefined);
    nowMs = (exp + 5) * 1000; // exp <= floor(now) - 5: expired
    expect(cache.get('t', 0)).to.equal(undefined);
    nowMs = 1_000_000_000;
    expect(cache.get('t', 0), 'an expired entry is dropped, not kept').to.equal(undefined);
  });

  it('honours an entry only under the key-set generation it verified with', () => {
    const cache = createVerifiedTokenCache({ capacity: 10, clockToleranceSec: 0 });
    cache.set('t', claims(Date.now() / 1000 + 60), 3);
    expect(cache.get('t', 4)).to.equal(undefined);
    expect(cache.get('t', 3), 'a miss under another generation drops it').to.equal(undefined);
  });

  it('drops the tokens of keys a key-set notice no longer names', () => {
    const cache = createVerifiedTokenCache({ capacity: 10, clockToleranceSec: 0 });
    const exp = Date.now() / 1000 + 60;
    cache.set('old', claims(exp, 'retired'), 0);
    cache.set('new', claims(exp, 'current'), 0);
    cache.keepKeys(new Set(['current']));
    expect(cache.get('old', 0)).to.equal(undefined);
    expect(cache.get('new', 0)?.kid).to.equal('current');
  });

  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = createVerifiedTokenCache({ capacity: 2, clockToleranceSec: 0 });
    const exp = Date.now() / 1000 + 60;
    cache.set('a', claims(exp), 0);
    cache.set('b', claims(exp), 0);
    cache.get('a', 0);
    cache.set('c', claims(exp), 0);
    expect(cache.size).to.equal(2);
    expect(cache.get('b', 0)).to.equal(undefined);
    expect(cache.get('a', 0)).to.not.equal(undefined);
    expect(cache.get('c', 0)).to.not.equal(undefined);
    for (let i = 0; i < 1000; i++) cache.set(`t${i}`, claims(exp), 0);
    expect(cache.size).to.equal(2);
  });

  it('remembers nothing with a capacity of 0', () => {
    const cache = createVerifiedTokenCache({ capacity: 0, clockToleranceSec: 0 });
    cache.set('a', claims(Date.now() / 1000 + 60), 0);
    expect(cache.size).to.equal(0);
  });
});
