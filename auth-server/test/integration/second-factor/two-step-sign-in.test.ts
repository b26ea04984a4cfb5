import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  newSignedInAccount,
  PASSWORD,
  signInToAccount,
  type TestClient,
} from '../../support/accounts.ts';
import { idTokenClaims } from '../../support/app-id-token.ts';
import {
  Authenticator,
  asksForCode,
  enterCode,
  recoveryCodesOn,
  secretOn,
  setUpAuthenticator,
} from '../../support/authenticator.ts';
import { BrowserSession, formAction } from '../../support/browser-session.ts';
import { authorizationRequest, newPkce, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('two-step sign-in (TOTP): enrolment, the code at sign-in, recovery codes, removal', function () {
  this.timeout(120_000);
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit second_factor.enrolled' },
    { service: 'auth-server', level: 'warn', msg: 'audit second_factor.failed' },
    { service: 'auth-server', level: 'warn', msg: 'audit second_factor.removed' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  /** A verified account signed in on its account page, with an authenticator app set up. */
  async function personWithAuthenticator() {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page } = await newSignedInAccount(browser, stack.sink);
    const { authenticator, recoveryCodes } = await setUpAuthenticator(browser, page);
    const id = (await accountRow(stack.db, email))!.id;
    return { browser, email, id, authenticator, recoveryCodes };
  }

  /** A fresh browser at the app's sign-in step, the password typed: the page that follows. */
  async function passwordStep(email: string, client: TestClient = stack.client, params = {}) {
    const browser = new BrowserSession(stack.server.issuer);
    const pkce = newPkce();
    const signInPage = await browser.get(authorizationRequest(client, params, pkce));
    const page = await signIn(browser, signInPage, email, PASSWORD);
    return { browser, page, pkce, signInPage };
  }

  const events = async (accountId: string, action: string) =>
    (
      await stack.db.query(
        'select outcome, detail from audit_event where subject_id = $1 and action = $2 order by id',
        [accountId, action],
      )
    ).rows as { outcome: string; detail: Record<string, unknown> }[];

  it('enrols from the account page: QR code and key shown, a wrong code refused, the right one confirms and shows ten recovery codes once', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page: accountPage } = await newSignedInAccount(browser, stack.sink);
    const id = (await accountRow(stack.db, email))!.id;
    expect(accountPage.html).to.contain('Two-step sign-in</h2>');
    expect(accountPage.html).to.contain('Set up an authenticator app');

    const setup = await browser.post(
      formAction(accountPage.html, /\/account\/two-step\/setup$/),
      {},
      accountPage,
    );
    expect(setup.status).to.equal(200);
    expect(setup.html).to.contain(
      '<svg class="qr-code" role="img" aria-label="QR code of your authenticator key"',
    );
    const main = /<main[\s\S]*<\/main>/.exec(setup.html)?.[0];
    expect(main, 'drawn by the server, nothing fetched').not.to.match(/<img|<script|<image|href="http/);
    const authenticator = new Authenticator(secretOn(setup));
    expect(secretOn(setup), 'base32 in groups of four').to.match(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
    expect(authenticator.bytes).to.have.length(20);
    // Reloading the page shows the same pending key.
    expect(secretOn(await browser.get('/account/two-step/setup'))).to.equal(secretOn(setup));

    const wrong = await browser.post('/account/two-step/confirm', { code: authenticator.wrongCode() }, setup);
    expect(wrong.status).to.equal(400);
    expect(wrong.html).to.contain('That code is not right.');
    expect(secretOn(wrong), 'still the same pending key').to.equal(secretOn(setup));
    expect((await browser.get('/account')).html, 'a wrong code does not turn it on').to.contain(
      'Set up an authenticator app',
    );
    const garbage = await browser.post('/account/two-step/confirm', { code: '<script>' }, setup);
    expect(garbage.status).to.equal(400);

    const confirmed = await browser.post(
      '/account/two-step/confirm',
      { code: await authenticator.code() },
      setup,
    );
    expect(confirmed.status).to.equal(200);
    expect(confirmed.html).to.contain('Save your recovery codes');
    const codes = recoveryCodesOn(confirmed);
    expect(codes).to.have.length(10);
    expect(new Set(codes).size).to.equal(10);
    for (const code of codes) expect(code).to.match(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const account = await browser.get('/account');
    expect(account.html).to.contain('Recovery codes left: 10 of 10.');
    expect(account.html).to.contain('Turn off two-step sign-in');
    expect(account.html, 'the codes are shown only once').not.to.contain(codes[0]);
    // Setting up again while one is confirmed changes nothing.
    const again = await browser.post('/account/two-step/setup', {}, account);
    expect(again.html).to.contain('Two-step sign-in is already on.');

    expect(
      (await events(id, 'second_factor.enrolled')).map((e) => [e.outcome, e.detail.reason]),
    ).to.deep.equal([
      ['failure', 'wrong_code'],
      ['failure', 'wrong_code'],
      ['success', undefined],
    ]);
  });

  it('stores the secret sealed under the master key, bound to its account, and the recovery codes hashed', async () => {
    const { id, authenticator, recoveryCodes } = await personWithAuthenticator();
    const { rows } = await stack.db.query(
      'select sealed_secret, master_key_id, confirmed_at, last_used_step from totp_credential where account_id = $1',
      [id],
    );
    const row = rows[0] as {
      sealed_secret: Buffer;
      master_key_id: string;
      confirmed_at: Date;
      last_used_step: string;
    };
    expect(row.confirmed_at).to.be.instanceOf(Date);
    expect(Number(row.last_used_step), 'the confirming code is spent').to.be.greaterThan(0);
    expect(row.master_key_id).to.match(/^[0-9a-f]{16}$/);
    expect(row.sealed_secret[0], 'AAD format 2').to.equal(2);
    expect(row.sealed_secret.includes(Buffer.from(authenticator.secret)), 'no base32 text').to.equal(false);
    expect(row.sealed_secret.includes(authenticator.bytes), 'no raw secret').to.equal(false);
    const hashes = await stack.db.query('select code_hash from recovery_code where account_id = $1', [id]);
    expect(hashes.rows).to.have.length(10);
    for (const { code_hash } of hashes.rows as { code_hash: Buffer }[]) {
      expect(code_hash).to.have.length(32);
      for (const code of recoveryCodes) expect(code_hash.includes(Buffer.from(code))).to.equal(false);
    }
  });

  it('a correct password alone never finishes the sign-in; the code does, and the ID token says how (amr, acr)', async () => {
    const { email, authenticator } = await personWithAuthenticator();
    const { browser, page, pkce } = await passwordStep(email);
    expect(page.status).to.equal(200);
    expect(asksForCode(page), page.html).to.equal(true);
    expect(page.html).to.contain('Two-step sign-in</h1>');
    expect(page.html).to.contain('Recovery code');
    // Not signed in meanwhile: the session does not exist until the code is typed.
    const elsewhere = await browser.tab().get('/account');
    expect(elsewhere.html, 'no session after the password alone').not.to.contain('Connected apps');
    const reloaded = await browser.get(new URL(page.url).pathname);
    expect(asksForCode(reloaded), 'the step stays at the code').to.equal(true);

    const wrong = await enterCode(browser, reloaded, { code: authenticator.wrongCode() });
    expect(wrong.status).to.equal(400);
    expect(wrong.leftTo).to.equal(undefined);
    expect(wrong.html).to.contain('That code is not right, or it was already used.');

    const done = await enterCode(browser, wrong, { code: await authenticator.code() });
    const claims = await idTokenClaims(stack, browser, done, pkce.verifier);
    expect(claims.amr).to.deep.equal(['pwd', 'otp']);
    expect(claims.acr).to.equal('urn:vectorauth:acr:mfa');
  });

  it('a password-only sign-in carries amr pwd; discovery advertises the acr values', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const { browser: app, page, pkce } = await passwordStep(email);
    const claims = await idTokenClaims(stack, app, page, pkce.verifier);
    expect(claims.amr).to.deep.equal(['pwd']);
    expect(claims.acr).to.equal('urn:vectorauth:acr:pwd');
    const discovery = (await (
      await fetch(`${stack.server.issuer}/.well-known/openid-configuration`)
    ).json()) as {
      acr_values_supported: string[];
      claims_supported: string[];
    };
    expect(discovery.acr_values_supported).to.have.members([
      'urn:vectorauth:acr:pwd',
      'urn:vectorauth:acr:fed',
      'urn:vectorauth:acr:hwk',
      'urn:vectorauth:acr:mfa',
    ]);
    expect(discovery.claims_supported).to.include.members(['acr', 'amr']);
  });

  it('the code step cannot be reached without the password step, even with a right code', async () => {
    const { email, authenticator } = await personWithAuthenticator();
    const browser = new BrowserSession(stack.server.issuer);
    const signInPage = await browser.get(authorizationRequest(stack.client));
    const uid = /action="\/interaction\/([^/"]+)\/login"/.exec(signInPage.html)?.[1];
    const skipped = await browser.post(
      `/interaction/${uid}/second-factor`,
      { code: await authenticator.code() },
      signInPage,
    );
    expect(skipped.leftTo, 'no code for the app').to.equal(undefined);
    expect(skipped.html, 'back at the password').to.contain(`action="/interaction/${uid}/login"`);
    const setup = await browser.post(
      `/interaction/${uid}/second-factor/setup`,
      { code: '123456' },
      signInPage,
    );
    expect(setup.html, 'nor set up one').to.contain(`action="/interaction/${uid}/login"`);

    // A wrong password does not open it either.
    const refused = await signIn(browser, signInPage, email, 'not the password');
    expect(refused.status).to.equal(400);
    const still = await browser.post(
      `/interaction/${uid}/second-factor`,
      { code: authenticator.wrongCode() },
      refused,
    );
    expect(still.html).to.contain(`action="/interaction/${uid}/login"`);
  });

  it('a code once accepted is refused when replayed, in another sign-in', async () => {
    const { email, authenticator } = await personWithAuthenticator();
    const first = await passwordStep(email);
    const code = await authenticator.code();
    const accepted = await enterCode(first.browser, first.page, { code });
    expect(asksForCode(accepted), 'the first use signs in').to.equal(false);

    const second = await passwordStep(email);
    const replayed = await enterCode(second.browser, second.page, { code });
    expect(replayed.status).to.equal(400);
    expect(replayed.leftTo).to.equal(undefined);
    expect(replayed.html).to.contain('That code is not right, or it was already used.');
    const id = (await accountRow(stack.db, email))!.id;
    expect((await events(id, 'second_factor.failed')).map((e) => e.detail)).to.deep.equal([
      { during: 'sign_in', reason: 'replayed' },
    ]);
  });

  it('a recovery code signs in once, in place of the code, and is then spent', async () => {
    const { email, id, recoveryCodes } = await personWithAuthenticator();
    const first = await passwordStep(email);
    // Typed as people type: upper case, spaces for dashes.
    const typed = recoveryCodes[3]!.toUpperCase().replaceAll('-', ' ');
    const done = await enterCode(first.browser, first.page, { recovery: typed });
    const claims = await idTokenClaims(stack, first.browser, done, first.pkce.verifier);
    expect(claims.amr).to.deep.equal(['pwd', 'otp']);

    const second = await passwordStep(email);
    const again = await enterCode(second.browser, second.page, { recovery: recoveryCodes[3]! });
    expect(again.status).to.equal(400);
    expect(again.html).to.contain('That recovery code is not right, or it was already used.');
    const other = await enterCode(second.browser, again, { recovery: recoveryCodes[4]! });
    expect(other.leftTo ?? other.html.includes('/consent"'), 'another one still works').to.be.ok;

    const used = await events(id, 'second_factor.recovery_code_used');
    expect(used.map((e) => e.detail)).to.deep.equal([
      { during: 'sign_in', remaining: 9 },
      { during: 'sign_in', remaining: 8 },
    ]);
    const signIns = await events(id, 'user.sign_in');
    expect(signIns.at(-1)?.detail).to.include({ email, second_factor: 'recovery_code' });
    const account = await signInWithCode(email, { recovery: recoveryCodes[5]! });
    expect(account.html).to.contain('Recovery codes left: 7 of 10.');
  });

  /** Signs in to the account page with the password and `second`: the account page. */
  async function signInWithCode(email: string, second: { code: string } | { recovery: string }) {
    const browser = new BrowserSession(stack.server.issuer);
    const login = await browser.get('/account');
    const asked = await signIn(browser, login, email, PASSWORD);
    expect(asksForCode(asked), asked.html).to.equal(true);
    const page = await enterCode(browser, asked, second);
    expect(page.html).to.contain('Connected apps');
    return page;
  }

  it('turning it off asks for the password (or a current code) again on a confirmation page', async () => {
    const { browser, id, authenticator } = await personWithAuthenticator();
    const account = await browser.get('/account');
    const asked = await browser.post(formAction(account.html, /\/account\/two-step\/remove$/), {}, account);
    expect(asked.status).to.equal(200);
    expect(asked.html).to.contain('<h1>Turn off two-step sign-in?</h1>');
    expect(asked.html).to.contain('Your password, or a code from your authenticator app');
    expect(asked.html).to.contain('href="/account">Cancel</a>');

    const confirm = (reauth: string) =>
      browser.post('/account/two-step/remove', { confirmed: 'yes', reauth }, asked);
    for (const wrong of ['', 'not the password', authenticator.wrongCode()]) {
      const refused = await confirm(wrong);
      expect(refused.status, JSON.stringify(wrong)).to.equal(400);
      expect(refused.html).to.contain('That is neither your password nor a current code');
      expect(refused.html).to.contain('<h1>Turn off two-step sign-in?</h1>');
    }
    // Posting straight to the action without the confirmation field only asks.
    expect((await browser.post('/account/two-step/remove', { reauth: PASSWORD }, asked)).html).to.contain(
      '<h1>Turn off two-step sign-in?</h1>',
    );
    const stillOn = await stack.db.query(
      'select count(*)::int as n from totp_credential where account_id = $1',
      [id],
    );
    expect(stillOn.rows[0].n).to.equal(1);

    const done = await confirm(await authenticator.code());
    expect(done.html).to.contain('Two-step sign-in is off');
    expect(done.html).to.contain('Set up an authenticator app');
    for (const table of ['totp_credential', 'recovery_code']) {
      const left = await stack.db.query(`select count(*)::int as n from ${table} where account_id = $1`, [
        id,
      ]);
      expect(left.rows[0].n, table).to.equal(0);
    }
    expect(
      (await events(id, 'second_factor.removed')).map((e) => [e.outcome, e.detail.reason]),
    ).to.deep.equal([
      ['failure', 'wrong_password'],
      ['failure', 'wrong_password'],
      ['success', undefined],
    ]);
    expect((await events(id, 'second_factor.failed')).map((e) => e.detail)).to.deep.equal([
      { during: 'removal', reason: 'wrong_code' },
    ]);
  });

  it('turning it off with the password works too, and sign-in asks for no code afterwards', async () => {
    const { browser, email } = await personWithAuthenticator();
    const account = await browser.get('/account');
    const asked = await browser.post('/account/two-step/remove', {}, account);
    const done = await browser.post(
      '/account/two-step/remove',
      { confirmed: 'yes', reauth: PASSWORD },
      asked,
    );
    expect(done.html).to.contain('Two-step sign-in is off');
    const fresh = new BrowserSession(stack.server.issuer);
    await signInToAccount(fresh, email);
  });

  it('deleting the account deletes its authenticator and recovery codes', async () => {
    const { id } = await personWithAuthenticator();
    const deleted = await stack.server.admin('DELETE', `/admin/users/${id}`);
    expect(deleted.status).to.equal(204);
    for (const table of ['totp_credential', 'recovery_code']) {
      const left = await stack.db.query(`select count(*)::int as n from ${table} where account_id = $1`, [
        id,
      ]);
      expect(left.rows[0].n, table).to.equal(0);
    }
  });
});
