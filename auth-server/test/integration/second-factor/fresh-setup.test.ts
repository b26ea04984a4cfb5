import { expect } from 'chai';
import { accountRow, newSignedInAccount } from '../../support/accounts.ts';
import { Authenticator, secretOn } from '../../support/authenticator.ts';
import { BrowserSession, formAction } from '../../support/browser-session.ts';
import { ageSessions } from '../../support/session-age.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** Adding a factor is a sensitive change: a session that signed in long ago must sign in again first. */
describe('setting up two-step sign-in needs a recent sign-in', function () {
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, db: true });

  it('an hour-old session can neither start nor confirm an authenticator; a fresh one can', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page: accountPage } = await newSignedInAccount(browser, stack.sink);
    const { id } = (await accountRow(stack.db, email)) as { id: string };
    const setupAction = formAction(accountPage.html, /\/account\/two-step\/setup$/);
    // Started while fresh, confirmed an hour later: refused.
    const setup = await browser.post(setupAction, {}, accountPage);
    const authenticator = new Authenticator(secretOn(setup));
    await ageSessions(stack.db, id, 3600);
    const late = await browser.post('/account/two-step/confirm', { code: await authenticator.code() }, setup);
    expect(late.status).to.equal(403);
    expect(late.html).to.contain('Setting up two-step sign-in needs a sign-in within the last 5 minutes');
    const stale = await browser.post(setupAction, {}, await browser.get('/account'));
    expect(stale.status).to.equal(403);
    expect(stale.html).to.contain('href="/account/confirm-identity"');
    const status = await stack.db.query('select confirmed_at from totp_credential where account_id = $1', [
      id,
    ]);
    expect(
      status.rows.every((r) => r.confirmed_at === null),
      'nothing confirmed',
    ).to.equal(true);
    await ageSessions(stack.db, id, 0);
    const fresh = await browser.post(setupAction, {}, await browser.get('/account'));
    expect(fresh.status).to.equal(200);
    expect(fresh.html).to.contain('<svg class="qr-code"');
  });
});
