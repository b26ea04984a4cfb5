import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  countModels,
  newSignedInAccount,
  obtainTokens,
  PASSWORD,
  refresh,
  revokableGrants,
  signInToAccount,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('account page: connected apps, revoke, sign out everywhere, change password', () => {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit consent.withdrawn' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.password_changed' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: { client_name: 'Notes App' } });

  it('lists a connected app with its scopes, and only apps the person granted', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const before = await browser.get('/account');
    expect(before.html, 'signing in to the account page is not a connected app').to.contain(
      'No app has access to your account.',
    );
    expect(revokableGrants(before)).to.have.length(0);

    await obtainTokens(stack.server, browser, stack.client, {
      email,
      scope: 'openid offline_access vectors:read',
    });
    const page = await browser.get('/account');
    expect(page.html).to.contain('<td data-label="App">Notes App</td>');
    expect(page.html).to.contain('<td data-label="Access">offline_access, openid, vectors:read</td>');
    expect(revokableGrants(page)).to.have.length(1);
  });

  it('"Revoke" removes the app and its refresh token stops working', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const page = await browser.get('/account');
    const [grant] = revokableGrants(page);
    const done = await submit(browser, page, /\/account\/apps\/revoke$/, { grant: grant!, confirmed: 'yes' });
    expect(done.status).to.equal(200);
    expect(done.html).to.contain('The app no longer has access to your account.');
    expect(done.html).not.to.contain('Notes App');
    expect(revokableGrants(done)).to.have.length(0);
    const res = await refresh(stack.server, stack.client, tokens.refresh_token);
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: 'invalid_grant' });
  });

  it("posting another account's grant id to /account/apps/revoke does nothing to that account", async () => {
    const victimBrowser = new BrowserSession(stack.server.issuer);
    const victim = await newSignedInAccount(victimBrowser, stack.sink);
    const victimTokens = await obtainTokens(stack.server, victimBrowser, stack.client, {
      email: victim.email,
    });
    const [victimGrant] = revokableGrants(await victimBrowser.get('/account'));

    const attacker = new BrowserSession(stack.server.issuer);
    const { page } = await newSignedInAccount(attacker, stack.sink);
    const answer = await attacker.post(
      '/account/apps/revoke',
      { grant: victimGrant!, confirmed: 'yes' },
      page,
    );
    expect(answer.status).to.be.oneOf([200, 303]);

    expect(revokableGrants(await victimBrowser.get('/account'))).to.deep.equal([victimGrant]);
    const res = await refresh(stack.server, stack.client, victimTokens.refresh_token);
    expect(res.status, 'the victim keeps the app').to.equal(200);
  });

  it('"Sign out everywhere" ends the session and revokes every grant', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const other = new BrowserSession(stack.server.issuer);
    await signInToAccount(other, email);
    const account = await accountRow(stack.db, email);

    const page = await browser.get('/account');
    const done = await submit(browser, page, /sign-out-everywhere$/, { confirmed: 'yes' });
    expect(done.status).to.equal(200);
    expect(done.html).to.contain('Signed out everywhere');

    for (const b of [browser, other]) {
      const next = await b.get('/account');
      expect(next.html, 'the account page asks to sign in again').to.contain('action="/interaction/');
      expect(next.html).not.to.contain('Connected apps');
    }
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
    expect(await countModels(stack.db, 'Grant', account!.id)).to.equal(0);
    expect(await countModels(stack.db, 'Session', account!.id)).to.equal(0);
  });

  it('changing the password requires the current password', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page } = await newSignedInAccount(browser, stack.sink);
    const hashBefore = (await accountRow(stack.db, email))!.password_hash;

    const wrong = await submit(browser, page, /\/account\/password$/, {
      current: 'not my password at all',
      password: 'a brand new passphrase',
    });
    expect(wrong.status).to.equal(400);
    expect(wrong.html).to.contain('Your current password is not right.');
    const missing = await submit(browser, page, /\/account\/password$/, {
      password: 'a brand new passphrase',
    });
    expect(missing.status).to.equal(400);
    expect((await accountRow(stack.db, email))!.password_hash).to.equal(hashBefore);

    const weak = await submit(browser, page, /\/account\/password$/, {
      current: PASSWORD,
      password: 'short',
    });
    expect(weak.status).to.equal(400);
    expect(weak.html).to.contain('Use at least 8 characters.');
    expect((await accountRow(stack.db, email))!.password_hash).to.equal(hashBefore);

    const ok = await submit(browser, page, /\/account\/password$/, {
      current: PASSWORD,
      password: 'a brand new passphrase',
    });
    expect(ok.status).to.equal(200);
    expect(ok.html).to.contain('Your password was changed.');
    await signInToAccount(new BrowserSession(stack.server.issuer), email, 'a brand new passphrase');
  });

  it('sends a signed-out visitor to sign in for every account action', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const form = await browser.get('/signup');
    for (const path of ['/account/apps/revoke', '/account/password', '/account/sign-out-everywhere']) {
      const res = await browser.post(
        path,
        { grant: 'x', current: PASSWORD, password: 'whatever password' },
        form,
      );
      expect(res.html, path).to.contain('action="/interaction/');
      expect(res.html, path).not.to.contain('Connected apps');
    }
  });
});
