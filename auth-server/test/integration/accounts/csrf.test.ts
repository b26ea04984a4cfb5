import { expect } from 'chai';
import {
  accountRow,
  authorize,
  countModels,
  newEmail,
  newSignedInAccount,
  PASSWORD,
  revokableGrants,
} from '../../support/accounts.ts';
import { BrowserSession, csrfOf, formAction, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, newPkce, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('CSRF: every page form refuses a missing, foreign or tampered token', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });
  let foreignToken: string;

  before(async () => {
    const other = new BrowserSession(stack.server.issuer);
    foreignToken = csrfOf((await other.get('/signup')).html);
  });

  /** Posts `fields` to `path` with every kind of bad token; each must be a 403 page. */
  async function expectRefused(
    browser: BrowserSession,
    page: Page,
    path: string,
    fields: Record<string, string>,
  ) {
    const token = csrfOf(page.html);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const variants: [string, string | undefined][] = [
      ['no token', undefined],
      ['an empty token', ''],
      ["another browser's token", foreignToken],
      ['a tampered token', flipped],
      ['a token with a multi-byte character (43 characters, 44 bytes)', `é${token.slice(1)}`],
      ['a token with an extra character', `${token}A`],
    ];
    for (const [what, value] of variants) {
      const res = await browser.post(path, value === undefined ? fields : { ...fields, _csrf: value }, null);
      expect(res.status, `${path} with ${what}`).to.equal(403);
      expect(res.html, `${path} with ${what}`).to.contain('Form expired');
    }
    const cookie = browser.cookies.get('csrf')!;
    browser.cookies.delete('csrf');
    const cookieless = await browser.post(path, { ...fields, _csrf: token }, null);
    expect(cookieless.status, `${path} with the right token but no cookie`).to.equal(403);
    browser.cookies.set('csrf', cookie);
  }

  it('sign-up creates no account', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('csrf-signup');
    await expectRefused(browser, await browser.get('/signup'), '/signup', { email, password: PASSWORD });
    expect(await accountRow(stack.db, email)).to.equal(undefined);
  });

  it('forgot-password issues no reset token', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const form = await browser.get('/forgot-password');
    await expectRefused(browser, form, '/forgot-password', { email });
    // A valid request afterwards: its mail is the only reset mail, and its token the only one.
    expect((await browser.post('/forgot-password', { email }, form)).status).to.equal(200);
    await stack.sink.waitFor(email, /Reset your password/);
    const { rows } = await stack.db.query(
      "select count(*)::int as n from email_token t join account a on a.id = t.account_id where a.email = $1 and t.purpose = 'reset-password'",
      [email],
    );
    expect(rows[0].n).to.equal(1);
  });

  it('reset-password changes no password and spends no token', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const hash = (await accountRow(stack.db, email))!.password_hash;
    await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    const link = new URL(
      stack.sink.linkIn(await stack.sink.waitFor(email, /Reset your password/), stack.server.issuer),
    );
    const form = await browser.get(link.pathname + link.search);
    const token = link.searchParams.get('token')!;
    await expectRefused(browser, form, '/reset-password', { token, password: 'an attacker chosen password' });
    expect((await accountRow(stack.db, email))!.password_hash).to.equal(hash);
    const valid = await browser.post('/reset-password', { token, password: 'my own new passphrase' }, form);
    expect(valid.html, 'the token is still unspent').to.contain('Password changed');
  });

  it('verify-email confirms nothing; resend sends nothing', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('csrf-verify');
    await browser.post('/signup', { email, password: PASSWORD }, await browser.get('/signup'));
    const link = new URL(
      stack.sink.linkIn(await stack.sink.waitFor(email, /Confirm your e-mail/), stack.server.issuer),
    );
    const token = link.searchParams.get('token')!;
    const form = await browser.get(link.pathname + link.search);
    await expectRefused(browser, form, '/verify-email', { token });
    expect((await accountRow(stack.db, email))!.email_verified).to.equal(false);

    await expectRefused(browser, form, '/verify-email/resend', { email });
    expect((await browser.post('/verify-email/resend', { email }, form)).status).to.equal(200);
    await stack.sink.waitFor(email, /Confirm your e-mail/);
    const { rows } = await stack.db.query(
      "select count(*)::int as n from email_token t join account a on a.id = t.account_id where a.email = $1 and t.purpose = 'verify-email'",
      [email],
    );
    expect(rows[0].n, 'the sign-up token and the one valid resend').to.equal(2);
    expect((await browser.post('/verify-email', { token }, form)).html).to.contain(
      'E-mail address confirmed',
    );
  });

  it('sign-in does not sign in; consent grants nothing', async () => {
    const setup = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(setup, stack.sink);
    const account = (await accountRow(stack.db, email))!;
    const browser = new BrowserSession(stack.server.issuer);
    const pkce = newPkce();
    const login = await browser.get(authorizationRequest(stack.client, {}, pkce));
    const loginAction = formAction(login.html, /\/login$/);
    const signInsBefore = (await accountRow(stack.db, email))!.last_sign_in_at;
    await expectRefused(browser, login, loginAction, { email, password: PASSWORD });
    expect((await accountRow(stack.db, email))!.last_sign_in_at).to.deep.equal(signInsBefore);

    const consentPage = await signIn(browser, login, email, PASSWORD);
    const consentAction = formAction(consentPage.html, /\/consent$/);
    await expectRefused(browser, consentPage, consentAction, { decision: 'allow' });
    expect(await countModels(stack.db, 'Grant', account.id, stack.client.client_id)).to.equal(0);
    const granted = await browser.post(consentAction, { decision: 'allow' }, consentPage);
    expect(granted.leftTo?.searchParams.get('code'), 'the interaction still works').to.be.a('string');
  });

  it('account forms: no revoke, no password change, no sign-out', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    await authorize(browser, stack.client, { email });
    const page = await browser.get('/account');
    const grants = revokableGrants(page);
    expect(grants).to.have.length(1);
    const hash = (await accountRow(stack.db, email))!.password_hash;

    await expectRefused(browser, page, '/account/apps/revoke', { grant: grants[0]!, confirmed: 'yes' });
    await expectRefused(browser, page, '/account/password', {
      current: PASSWORD,
      password: 'hijacked password 1',
    });
    await expectRefused(browser, page, '/account/sign-out-everywhere', { confirmed: 'yes' });

    const after = await browser.get('/account');
    expect(after.html, 'still signed in').to.contain('Connected apps');
    expect(revokableGrants(after)).to.deep.equal(grants);
    expect((await accountRow(stack.db, email))!.password_hash).to.equal(hash);
  });
});
