import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createDpopNonces } from '../../../src/auth/dpop-nonces.ts';

describe('DPoP server nonces: stateless, shared by every instance with the secret', () => {
  const secret = randomBytes(32);
  let clock = 1_800_000_000_000;
  const nonces = createDpopNonces(secret, { windowSec: 60, now: () => clock });

  it('accepts its current nonce, at another instance too', () => {
    const nonce = nonces.current();
    expect(nonce).to.match(/^[A-Za-z0-9_-]{1,64}$/);
    expect(nonces.accepts(nonce)).to.equal(true);
    expect(createDpopNonces(secret, { now: () => clock }).accepts(nonce)).to.equal(true);
  });

  it('accepts the last window nonce, refuses older and future ones', () => {
    const nonce = nonces.current();
    clock += 60_000;
    expect(nonces.accepts(nonce), 'one window later').to.equal(true);
    clock += 60_000;
    expect(nonces.accepts(nonce), 'two windows later').to.equal(false);
    const future = createDpopNonces(secret, { now: () => clock + 120_000 }).current();
    expect(nonces.accepts(future), 'from the future').to.equal(false);
  });

  it('refuses a nonce of another secret, a changed tag and anything malformed', () => {
    expect(nonces.accepts(createDpopNonces(randomBytes(32), { now: () => clock }).current())).to.equal(false);
    const nonce = nonces.current();
    const last = nonce.at(-1) === 'A' ? 'B' : 'A';
    expect(nonces.accepts(`${nonce.slice(0, -1)}${last}`)).to.equal(false);
    for (const bad of ['', '-', 'abc', '1-', `${'z'.repeat(70)}`, 'a b-c', '99999999999999999999-AAAA']) {
      expect(nonces.accepts(bad), bad).to.equal(false);
    }
  });
});
