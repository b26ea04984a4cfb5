import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { PASSWORD_RULES } from '../../../src/accounts/password-policy.ts';
import {
  accountRow,
  eventually,
  newEmail,
  PASSWORD,
  signInToAccount,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { signIn, signUpVerified } from '../../support/code-flow.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('password policy and bcrypt limits', () => {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_up' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.password_changed' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true });

  async function signUp(email: string, password: string) {
    const browser = new BrowserSession(stack.server.issuer);
    return browser.post('/signup', { email, password }, await browser.get('/signup'));
  }

  const refusals: [string, string, string][] = [
    ['7 characters', 'abcdefg', 'Use at least 8 characters.'],
    ['7 characters of 2 bytes each (14 bytes)', 'ééééééé', 'Use at least 8 characters.'],
    ['a common password (password123)', 'password123', 'This password is too common.'],
    ['a common password (qwerty123)', 'qwerty123', 'This password is too common.'],
    ['a common password in capitals', 'PASSWORD123', 'This password is too common.'],
    ['20 emoji: 20 characters but 80 bytes', '😀'.repeat(20), 'Use at most 72 bytes'],
    ['73 bytes', `${'x'.repeat(71)}é`, 'Use at most 72 bytes'],
  ];
  for (const [what, password, message] of refusals) {
    it(`sign-up refuses ${what} and creates no account`, async () => {
      const email = newEmail('policy');
      const res = await signUp(email, password);
      expect(res.status).to.equal(400);
      expect(res.html).to.contain(message);
      expect(res.html, 'the password is never echoed back').not.to.contain(`value="${password}"`);
      expect(await accountRow(stack.db, email)).to.equal(undefined);
    });
  }

  it('accepts 8 emoji (8 characters, 32 bytes) and exactly 72 bytes', async () => {
    for (const password of ['😀'.repeat(8), `${'x'.repeat(70)}é`]) {
      const email = newEmail('policy');
      expect((await signUp(email, password)).status, password).to.equal(200);
      expect(await accountRow(stack.db, email)).not.to.equal(undefined);
    }
  });

  it('a stored 72-byte password is not matched by the same 72 bytes plus more at sign-in', async () => {
    const password = `${'y'.repeat(68)}😀`;
    expect(Buffer.byteLength(password)).to.equal(72);
    const email = newEmail('bcrypt72');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, password);
    for (const longer of [`${password}!`, `${password}${'z'.repeat(40)}`, `${password}😀`]) {
      const browser = new BrowserSession(stack.server.issuer);
      const login = await browser.get('/account');
      const res = await signIn(browser, login, email, longer);
      expect(res.status, `${Buffer.byteLength(longer)} bytes`).to.equal(400);
      expect(res.html).to.contain('The e-mail address or the password is not right.');
    }
    await signInToAccount(new BrowserSession(stack.server.issuer), email, password);
  });

  it('a password change is held to the same policy', async () => {
    const password = 'an ordinary passphrase';
    const email = newEmail('change');
    const browser = new BrowserSession(stack.server.issuer);
    await signUpVerified(browser, stack.sink, email, password);
    const page = await signInToAccount(browser, email, password);
    const hash = (await accountRow(stack.db, email))!.password_hash;
    for (const next of ['short', 'password123', '😀'.repeat(20)]) {
      const res = await submit(browser, page, /\/account\/password$/, { current: password, password: next });
      expect(res.status, next).to.equal(400);
    }
    expect((await accountRow(stack.db, email))!.password_hash).to.equal(hash);
  });

  it('shows the rules on every form that sets a password before anything is typed, tied to the field', async () => {
    // The rules as the page escapes them, and the field that announces them to screen readers.
    const rules = `<p class="hint" id="password-hint">${PASSWORD_RULES}</p>`;
    const described =
      /<input id="password" name="password" type="password"[^>]*aria-describedby="password-hint"/;
    const shows = (what: string, html: string) => {
      expect(html, what).to.contain(rules);
      expect(html, what).to.match(described);
    };
    const browser = new BrowserSession(stack.server.issuer);
    shows('sign-up', (await browser.get('/signup')).html);
    const email = newEmail('rules');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    shows('the account page (change password)', (await signInToAccount(browser, email, PASSWORD)).html);
    await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    const mail = await stack.sink.waitFor(email, /Reset your password/);
    const link = new URL(stack.sink.linkIn(mail, stack.server.issuer));
    shows('reset', (await browser.get(link.pathname + link.search)).html);
  });

  it('rehashes at sign-in when BCRYPT_COST changed', async () => {
    const password = 'cost change passphrase';
    const email = newEmail('rehash');
    let cheap: TestAuthServer | undefined = await startTestAuthServer({
      SMTP_URL: stack.sink.url,
      BCRYPT_COST: '4',
    });
    let dearer: TestAuthServer | undefined;
    try {
      await signUpVerified(new BrowserSession(cheap.issuer), stack.sink, email, password);
      expect((await accountRow(stack.db, email))!.password_hash).to.match(/^\$2[aby]\$04\$/);
      await cheap.close();
      cheap = undefined;

      dearer = await startTestAuthServer({ SMTP_URL: stack.sink.url, BCRYPT_COST: '5' });
      await signInToAccount(new BrowserSession(dearer.issuer), email, password);
      const hash = await eventually(async () => {
        const row = await accountRow(stack.db, email);
        return row?.password_hash.startsWith('$2b$05$') ? row.password_hash : undefined;
      }, 'the rehash at cost 5');
      expect(hash).to.match(/^\$2b\$05\$/);
      await signInToAccount(new BrowserSession(dearer.issuer), email, password);
    } finally {
      await cheap?.close();
      await dearer?.close();
    }
  });
});
