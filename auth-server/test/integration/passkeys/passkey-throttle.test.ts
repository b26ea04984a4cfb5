import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { PASSWORD } from '../../support/accounts.ts';
import { appAsks } from '../../support/app-id-token.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { signIn } from '../../support/code-flow.ts';
import { personWithPasskey, usePasskey } from '../../support/passkey-steps.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * Guessing with forged passkey answers is guessing a password: each refused answer, passwordless
 * or at the second step, counts toward the account's sign-in slowdown; the owner, signing in from
 * an address they used before, is not held by it.
 */
describe('passkeys: refused answers count toward the sign-in slowdown', function () {
  this.timeout(120_000);
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit passkey.failed' },
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit', optional: true },
  ]);
  const stack = useAuthStack({ env: { TRUST_PROXY: 'true' }, smtp: true, db: true, appClient: true });

  it('holds the account after ten forged answers from ten addresses; its owner signs in from home', async () => {
    const { email, passkey } = await personWithPasskey(stack);
    const { privateKey: forger } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let strangers = 0;
    /** A browser at a new address (behind the trusted proxy), at the app's sign-in page. */
    const stranger = async () => {
      strangers += 1;
      const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': `10.79.0.${strangers}` });
      return { browser, page: (await appAsks(stack, browser)).page };
    };

    for (let i = 0; i < 5; i++) {
      const { browser, page } = await stranger();
      const forged = await usePasskey(browser, page, passkey, { signWith: forger });
      expect(forged.status, `passwordless guess ${i}`).to.equal(400);
    }
    for (let i = 0; i < 5; i++) {
      const { browser, page } = await stranger();
      const second = await signIn(browser, page, email, PASSWORD);
      const forged = await usePasskey(browser, second, passkey, { signWith: forger });
      expect(forged.status, `second-step guess ${i}`).to.equal(400);
    }

    const held = await stranger();
    const genuine = await usePasskey(held.browser, held.page, passkey);
    expect(genuine.status, 'an eleventh address is held even with the real passkey').to.equal(429);
    expect(genuine.html).to.contain('Too many failed sign-ins');

    // The owner's address is a known one: not held by guesses made elsewhere.
    const home = new BrowserSession(stack.server.issuer);
    const { page } = await appAsks(stack, home);
    const done = await usePasskey(home, page, passkey);
    expect(done.status, done.html).to.not.equal(429);
    expect(done.leftTo ?? done.html.includes('/consent"')).to.be.ok;
  });
});
