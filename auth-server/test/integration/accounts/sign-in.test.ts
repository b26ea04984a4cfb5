import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  newEmail,
  newSignedInAccount,
  obtainTokens,
  PASSWORD,
  refresh,
} from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('sign-in: wrong password, unknown address, disabled and unverified accounts', () => {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' }]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  /** A fresh browser on the sign-in page of an authorization request. */
  async function signInPage(): Promise<{ browser: BrowserSession; page: Page }> {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await browser.get(authorizationRequest(stack.client));
    expect(page.html).to.contain('action="/interaction/');
    return { browser, page };
  }

  /** The page with everything that legitimately differs per request blanked out. */
  const comparable = (html: string, email: string) =>
    html
      .replaceAll(email, 'EMAIL')
      .replace(/name="_csrf" value="[^"]+"/g, 'CSRF')
      .replace(/\/interaction\/[A-Za-z0-9_-]+\//g, '/interaction/UID/')
      .replace(/interaction=[A-Za-z0-9_-]+/g, 'interaction=UID');

  it('answers a wrong password and an unknown address with the same status and the same page', async () => {
    const known = newEmail('known');
    await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink, known);
    const unknown = newEmail('unknown');
    const lastSignIn = (await accountRow(stack.db, known))!.last_sign_in_at;

    const a = await signInPage();
    const wrong = await signIn(a.browser, a.page, known, 'not the right password');
    const b = await signInPage();
    const missing = await signIn(b.browser, b.page, unknown, 'not the right password');

    expect(wrong.status).to.equal(400);
    expect(missing.status).to.equal(wrong.status);
    expect(wrong.leftTo).to.equal(undefined);
    expect(wrong.html).to.contain('The e-mail address or the password is not right.');
    expect(comparable(missing.html, unknown)).to.equal(comparable(wrong.html, known));
    expect((await accountRow(stack.db, known))!.last_sign_in_at, 'not recorded as a sign-in').to.deep.equal(
      lastSignIn,
    );
  });

  it('refuses an empty password and near misses; compares addresses case-insensitively', async () => {
    const email = newEmail();
    await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink, email);
    for (const password of ['', PASSWORD.toUpperCase(), `${PASSWORD} `]) {
      const { browser, page } = await signInPage();
      const res = await signIn(browser, page, email, password);
      expect(res.status, JSON.stringify(password)).to.equal(400);
      expect(res.leftTo).to.equal(undefined);
    }
    const { browser, page } = await signInPage();
    const upper = await signIn(browser, page, email.toUpperCase(), PASSWORD);
    expect(upper.html, 'signed in, now asked for consent').to.contain('Allow access?');
  });

  it('a disabled account cannot sign in, and its refresh token stops working', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const account = (await accountRow(stack.db, email))!;

    expect((await stack.server.admin('POST', `/admin/users/${account.id}/disable`)).status).to.equal(204);

    const res = await refresh(stack.server, stack.client, tokens.refresh_token);
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: 'invalid_grant' });

    const { browser: fresh, page } = await signInPage();
    const refused = await signIn(fresh, page, email, PASSWORD);
    expect(refused.status).to.equal(400);
    expect(refused.leftTo).to.equal(undefined);
    expect(refused.html).to.contain('This account is disabled.');

    const accountPage = await browser.get('/account');
    expect(accountPage.html, 'the old session is gone').not.to.contain('Connected apps');
    const resumed = await browser.get(authorizationRequest(stack.client));
    expect(resumed.leftTo, 'no code for a disabled account through its old session').to.equal(undefined);
  });

  it('an unverified account cannot finish signing in and is offered a new confirmation mail', async () => {
    const email = newEmail('unverified');
    const signup = new BrowserSession(stack.server.issuer);
    await signup.post('/signup', { email, password: PASSWORD }, await signup.get('/signup'));
    await stack.sink.waitFor(email, /Confirm your e-mail/);

    const { browser, page } = await signInPage();
    const res = await signIn(browser, page, email, PASSWORD);
    expect(res.status).to.equal(400);
    expect(res.leftTo).to.equal(undefined);
    expect(res.html).to.contain('Confirm your e-mail address first');
    expect(res.html).to.contain('Send the confirmation e-mail again');

    const resend = await browser.post('/verify-email/resend', { email }, res);
    expect(resend.status).to.equal(200);
    const mail = await stack.sink.waitFor(email, /Confirm your e-mail/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/verify-email`));
    const confirm = await browser.get(link.pathname + link.search);
    const done = await browser.post('/verify-email', { token: link.searchParams.get('token')! }, confirm);
    expect(done.html).to.contain('E-mail address confirmed');

    const again = await signInPage();
    const signedIn = await signIn(again.browser, again.page, email, PASSWORD);
    expect(signedIn.html).to.contain('Allow access?');
  });

  it('the resend option is only offered to someone who knows the password', async () => {
    const email = newEmail('unverified');
    const signup = new BrowserSession(stack.server.issuer);
    await signup.post('/signup', { email, password: PASSWORD }, await signup.get('/signup'));
    const { browser, page } = await signInPage();
    const res = await signIn(browser, page, email, 'a wrong password');
    expect(res.html).to.contain('The e-mail address or the password is not right.');
    expect(res.html).not.to.contain('Send the confirmation e-mail again');
  });
});
