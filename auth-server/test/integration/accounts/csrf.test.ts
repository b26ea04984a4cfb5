import { expect } from 'chai';
import type pg from 'pg';
import {
  accountRow,
  authorize,
  countModels,
  createAppClient,
  newEmail,
  newSignedInAccount,
  openDatabase,
  PASSWORD,
  revokableGrants,
  type TestClient,
} from '../../support/accounts.ts';
import { BrowserSession, csrfOf, formAction, type Page } from '../../support/browser-session.ts';
import { authorizeUrl, newPkce, signIn } from '../../support/code-flow.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';

describe('CSRF: every page form refuses a missing, foreign or tampered token', () => {
  let sink: SmtpSink;
  let server: TestAuthServer;
  let db: pg.Pool;
  let client: TestClient;
  let foreignToken: string;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestAuthServer({ SMTP_URL: sink.url });
    db = openDatabase();
    client = await createAppClient(server);
    const other = new BrowserSession(server.issuer);
    foreignToken = csrfOf((await other.get('/signup')).html);
  });
  after(async () => {
    await server.close();
    await sink.close();
    await db.end();
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
    const browser = new BrowserSession(server.issuer);
    const email = newEmail('csrf-signup');
    await expectRefused(browser, await browser.get('/signup'), '/signup', { email, password: PASSWORD });
    expect(await accountRow(db, email)).to.equal(undefined);
  });

  it('forgot-password issues no reset token', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const form = await browser.get('/forgot-password');
    await expectRefused(browser, form, '/forgot-password', { email });
    // A valid request afterwards: its mail is the only reset mail, and its token the only one.
    expect((await browser.post('/forgot-password', { email }, form)).status).to.equal(200);
    await sink.waitFor(email, /Reset your password/);
    const { rows } = await db.query(
      "select count(*)::int as n from email_token t join account a on a.id = t.account_id where a.email = $1 and t.purpose = 'reset-password'",
      [email],
    );
    expect(rows[0].n).to.equal(1);
  });

  it('reset-password changes no password and spends no token', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const hash = (await accountRow(db, email))!.password_hash;
    await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    const link = new URL(sink.linkIn(await sink.waitFor(email, /Reset your password/), server.issuer));
    const form = await browser.get(link.pathname + link.search);
    const token = link.searchParams.get('token')!;
    await expectRefused(browser, form, '/reset-password', { token, password: 'an attacker chosen password' });
    expect((await accountRow(db, email))!.password_hash).to.equal(hash);
    const valid = await browser.post('/reset-password', { token, password: 'my own new passphrase' }, form);
    expect(valid.html, 'the token is still unspent').to.contain('Password changed');
  });

  it('verify-email confirms nothing; resend sends nothing', async () => {
    const browser = new BrowserSession(server.issuer);
    const email = newEmail('csrf-verify');
    await browser.post('/signup', { email, password: PASSWORD }, await browser.get('/signup'));
    const link = new URL(sink.linkIn(await sink.waitFor(email, /Confirm your e-mail/), server.issuer));
    const token = link.searchParams.get('token')!;
    const form = await browser.get(link.pathname + link.search);
    await expectRefused(browser, form, '/verify-email', { token });
    expect((await accountRow(db, email))!.email_verified).to.equal(false);

    await expectRefused(browser, form, '/verify-email/resend', { email });
    expect((await browser.post('/verify-email/resend', { email }, form)).status).to.equal(200);
    await sink.waitFor(email, /Confirm your e-mail/);
    const { rows } = await db.query(
      "select count(*)::int as n from email_token t join account a on a.id = t.account_id where a.email = $1 and t.purpose = 'verify-email'",
      [email],
    );
    expect(rows[0].n, 'the sign-up token and the one valid resend').to.equal(2);
    expect((await browser.post('/verify-email', { token }, form)).html).to.contain(
      'E-mail address confirmed',
    );
  });

  it('sign-in does not sign in; consent grants nothing', async () => {
    const setup = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(setup, sink);
    const account = (await accountRow(db, email))!;
    const browser = new BrowserSession(server.issuer);
    const pkce = newPkce();
    const login = await browser.get(
      authorizeUrl({
        client_id: client.client_id,
        redirect_uri: client.redirectUri,
        scope: 'openid vectors:read',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    );
    const loginAction = formAction(login.html, /\/login$/);
    const signInsBefore = (await accountRow(db, email))!.last_sign_in_at;
    await expectRefused(browser, login, loginAction, { email, password: PASSWORD });
    expect((await accountRow(db, email))!.last_sign_in_at).to.deep.equal(signInsBefore);

    const consentPage = await signIn(browser, login, email, PASSWORD);
    const consentAction = formAction(consentPage.html, /\/consent$/);
    await expectRefused(browser, consentPage, consentAction, { decision: 'allow' });
    expect(await countModels(db, 'Grant', account.id, client.client_id)).to.equal(0);
    const granted = await browser.post(consentAction, { decision: 'allow' }, consentPage);
    expect(granted.leftTo?.searchParams.get('code'), 'the interaction still works').to.be.a('string');
  });

  it('account forms: no revoke, no password change, no sign-out', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    await authorize(browser, client, { email });
    const page = await browser.get('/account');
    const grants = revokableGrants(page);
    expect(grants).to.have.length(1);
    const hash = (await accountRow(db, email))!.password_hash;

    await expectRefused(browser, page, '/account/apps/revoke', { grant: grants[0]! });
    await expectRefused(browser, page, '/account/password', {
      current: PASSWORD,
      password: 'hijacked password 1',
    });
    await expectRefused(browser, page, '/account/sign-out-everywhere', {});

    const after = await browser.get('/account');
    expect(after.html, 'still signed in').to.contain('Connected apps');
    expect(revokableGrants(after)).to.deep.equal(grants);
    expect((await accountRow(db, email))!.password_hash).to.equal(hash);
  });
});
