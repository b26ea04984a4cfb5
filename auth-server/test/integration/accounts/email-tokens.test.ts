import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  countModels,
  newEmail,
  newSignedInAccount,
  obtainTokens,
  PASSWORD,
  refresh,
  signInToAccount,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('e-mail link tokens: verification and password reset', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

  /** Signs up without confirming; the token from the verification mail. */
  async function signUpUnverified(email: string): Promise<string> {
    const browser = new BrowserSession(stack.server.issuer);
    await browser.post('/signup', { email, password: PASSWORD }, await browser.get('/signup'));
    return tokenOf(
      stack.sink.linkIn(
        await stack.sink.waitFor(email, /Confirm your e-mail/),
        `${stack.server.issuer}/verify-email`,
      ),
    );
  }

  /** Asks for a reset link; the token from the mail. */
  async function resetToken(email: string): Promise<string> {
    const browser = new BrowserSession(stack.server.issuer);
    const res = await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    expect(res.status).to.equal(200);
    return tokenOf(
      stack.sink.linkIn(
        await stack.sink.waitFor(email, /Reset your password/),
        `${stack.server.issuer}/reset-password`,
      ),
    );
  }

  async function expire(token: string): Promise<void> {
    const digest = createHash('sha256').update(token).digest();
    const res = await stack.db.query(
      "update email_token set expires_at = now() - interval '1 second' where token_hash = $1",
      [digest],
    );
    expect(res.rowCount).to.equal(1);
  }

  /** Opens the link's page (GET) and submits its form (POST), as a person does. */
  async function verify(token: string) {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await browser.get(`/verify-email?token=${encodeURIComponent(token)}`);
    return browser.post('/verify-email', { token }, page);
  }

  async function reset(token: string, password: string) {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await browser.get(`/reset-password?token=${encodeURIComponent(token)}`);
    return browser.post('/reset-password', { token, password }, page);
  }

  const verified = async (email: string) => (await accountRow(stack.db, email))!.email_verified;

  describe('verification', () => {
    expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.email_verified' }]);
    it('GET /verify-email never spends the token; POST does, once', async () => {
      const email = newEmail('verify');
      const token = await signUpUnverified(email);
      const browser = new BrowserSession(stack.server.issuer);
      for (let i = 0; i < 3; i++) {
        const page = await browser.get(`/verify-email?token=${token}`);
        expect(page.status).to.equal(200);
        expect(page.html).to.contain('Confirm e-mail address');
      }
      expect(await verified(email), 'link scanners only GET').to.equal(false);
      const done = await verify(token);
      expect(done.status).to.equal(200);
      expect(done.html).to.contain('E-mail address confirmed');
      expect(await verified(email)).to.equal(true);
    });

    it('refuses a reused token', async () => {
      const email = newEmail('verify');
      const token = await signUpUnverified(email);
      expect((await verify(token)).status).to.equal(200);
      const again = await verify(token);
      expect(again.status).to.equal(400);
      expect(again.html).to.contain('This link does not work any more');
    });

    it('refuses an expired token and leaves the account unconfirmed', async () => {
      const email = newEmail('verify');
      const token = await signUpUnverified(email);
      await expire(token);
      const res = await verify(token);
      expect(res.status).to.equal(400);
      expect(res.html).to.contain('The confirmation link has expired or was already used.');
      expect(await verified(email)).to.equal(false);
    });

    it('refuses a reset token used to verify, and the reset token stays usable for a reset', async () => {
      const email = newEmail('verify');
      await signUpUnverified(email);
      const reset1 = await resetToken(email);
      const res = await verify(reset1);
      expect(res.status).to.equal(400);
      expect(await verified(email)).to.equal(false);
      const done = await reset(reset1, 'a different passphrase');
      expect(done.html).to.contain('Password changed');
    });

    it('refuses garbage tokens, without a server error, and shows them escaped', async () => {
      const email = newEmail('verify');
      await signUpUnverified(email);
      for (const token of [
        '',
        'garbage',
        randomBytes(32).toString('base64url'),
        `${randomBytes(32).toString('base64url')}=`,
        "' or 1=1 --",
        '"><script>alert(1)</script>',
        'é'.repeat(43),
        'x'.repeat(2000),
      ]) {
        const res = await verify(token);
        expect(res.status, token).to.equal(400);
        expect(res.html).to.contain('This link does not work any more');
      }
      const page = await new BrowserSession(stack.server.issuer).get(
        `/verify-email?token=${encodeURIComponent('"><script>alert(1)</script>')}`,
      );
      expect(page.html).not.to.contain('<script>');
      expect(page.html).to.contain('&quot;&gt;&lt;script&gt;');
      expect(await verified(email)).to.equal(false);
    });
  });

  describe('password reset', () => {
    expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.password_reset' }]);
    it('refuses an expired reset token and keeps the old password', async () => {
      const browser = new BrowserSession(stack.server.issuer);
      const { email } = await newSignedInAccount(browser, stack.sink);
      const token = await resetToken(email);
      await expire(token);
      const res = await reset(token, 'an attacker chosen pass');
      expect(res.status).to.equal(400);
      expect(res.html).to.contain('This reset link has expired or was already used.');
      await signInToAccount(new BrowserSession(stack.server.issuer), email, PASSWORD);
    });

    it('refuses a reused reset token', async () => {
      const { email } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
      const token = await resetToken(email);
      expect((await reset(token, 'first new passphrase')).html).to.contain('Password changed');
      const again = await reset(token, 'second new passphrase');
      expect(again.status).to.equal(400);
      await signInToAccount(new BrowserSession(stack.server.issuer), email, 'first new passphrase');
    });

    it('a reset also kills every other reset link of the account', async () => {
      const { email } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
      const older = await resetToken(email);
      const used = await resetToken(email);
      expect((await reset(used, 'first new passphrase')).html).to.contain('Password changed');
      const res = await reset(older, 'an attacker chosen pass');
      expect(res.status, 'an older link sitting in a mailbox no longer works').to.equal(400);
      await signInToAccount(new BrowserSession(stack.server.issuer), email, 'first new passphrase');
    });

    it('a password change on the account page also kills outstanding reset links', async () => {
      const browser = new BrowserSession(stack.server.issuer);
      const { email, page } = await newSignedInAccount(browser, stack.sink);
      const pending = await resetToken(email);
      const changed = await submit(browser, page, /\/account\/password$/, {
        current: PASSWORD,
        password: 'changed on purpose',
      });
      expect(changed.html).to.contain('Your password was changed.');
      expect((await reset(pending, 'an attacker chosen pass')).status).to.equal(400);
      await signInToAccount(new BrowserSession(stack.server.issuer), email, 'changed on purpose');
    });

    it('refuses a verification token used to reset', async () => {
      const email = newEmail('reset');
      const token = await signUpUnverified(email);
      const hash = (await accountRow(stack.db, email))!.password_hash;
      const res = await reset(token, 'an attacker chosen pass');
      expect(res.status).to.equal(400);
      expect((await accountRow(stack.db, email))!.password_hash).to.equal(hash);
    });

    it('a bad new password does not spend the reset token', async () => {
      const { email } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
      const token = await resetToken(email);
      const weak = await reset(token, 'short');
      expect(weak.status).to.equal(400);
      expect(weak.html).to.contain('Use at least 8 characters.');
      expect((await reset(token, 'a good long passphrase')).html).to.contain('Password changed');
    });

    it('revokes every session, grant and refresh token of the account', async () => {
      const browser = new BrowserSession(stack.server.issuer);
      const { email } = await newSignedInAccount(browser, stack.sink);
      const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
      const account = (await accountRow(stack.db, email))!;
      expect(await countModels(stack.db, 'Session', account.id)).to.be.greaterThan(0);

      const token = await resetToken(email);
      expect((await reset(token, 'a fresh passphrase')).html).to.contain('Password changed');

      const res = await refresh(stack.server, stack.client, tokens.refresh_token);
      expect(res.status).to.equal(400);
      expect(await res.json()).to.include({ error: 'invalid_grant' });
      const page = await browser.get('/account');
      expect(page.html, 'the old browser session is signed out').not.to.contain('Connected apps');
      expect(page.html).to.contain('action="/interaction/');
      expect(await countModels(stack.db, 'Session', account.id)).to.equal(0);
      expect(await countModels(stack.db, 'Grant', account.id)).to.equal(0);
      expect(await countModels(stack.db, 'RefreshToken', account.id)).to.equal(0);
      await signInToAccount(new BrowserSession(stack.server.issuer), email, 'a fresh passphrase');
    });
  });
});
