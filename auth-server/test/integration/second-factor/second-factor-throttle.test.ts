import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { newSignedInAccount, PASSWORD } from '../../support/accounts.ts';
import { asksForCode, enterCode, setUpAuthenticator } from '../../support/authenticator.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

let addresses = 0;
/** A fresh client address (behind a trusted proxy) for every browser. */
const newIp = () => {
  addresses += 1;
  return `10.78.${addresses >> 8}.${addresses & 255}`;
};

/**
 * Guessing the second factor is guessing a password: each wrong code counts toward the same
 * progressive slowdown (per account and address, and per account from unknown addresses), and a
 * right password on the way neither clears the count nor makes its address a known one.
 */
describe('two-step sign-in: wrong codes count toward the sign-in slowdown', function () {
  this.timeout(120_000);
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit second_factor.failed' },
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit', optional: true },
  ]);
  const stack = useAuthStack({ env: { TRUST_PROXY: 'true' }, smtp: true, appClient: true });

  /** A browser at a new address, past the password of `email`: the code page. */
  async function pastThePassword(email: string) {
    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const signInPage = await browser.get(authorizationRequest(stack.client));
    const page = await signIn(browser, signInPage, email, PASSWORD);
    return { browser, page };
  }

  it('holds the account after ten wrong codes from ten addresses: the password step and the code step both wait', async () => {
    const owner = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const email = `codes-${randomUUID()}@example.com`;
    const { page: accountPage } = await newSignedInAccount(owner, stack.sink, email);
    const { authenticator } = await setUpAuthenticator(owner, accountPage);

    // One sign-in waits at its code while the guessing goes on elsewhere.
    const waiting = await pastThePassword(email);
    expect(asksForCode(waiting.page), waiting.page.html).to.equal(true);

    for (let i = 0; i < 10; i++) {
      const { browser, page } = await pastThePassword(email);
      expect(asksForCode(page), `guess ${i}: the right password reaches the code`).to.equal(true);
      const wrong = await enterCode(browser, page, { code: authenticator.wrongCode() });
      expect(wrong.status, `guess ${i}`).to.equal(400);
    }

    const held = await pastThePassword(email);
    expect(held.page.status, 'an eleventh address is held even with the right password').to.equal(429);
    expect(held.page.html).to.contain('Too many failed sign-ins');

    const code = await enterCode(waiting.browser, waiting.page, { code: await authenticator.code() });
    expect(code.status, 'the code step waits too').to.equal(429);
    const wait = Number(/Please wait (\d+) seconds/.exec(code.html)?.[1]);
    expect(wait).to.be.within(1, 60);
  });
});
