import { expect } from 'chai';
import { newEmail, obtainTokens, signInToAccount, submit } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const SECRET_PASSWORD = 'hunter2-correct-horse';

describe('audit trail: never a password, secret, token or code', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: true, logs: 'info' });

  async function signInPage(browser: BrowserSession): Promise<Page> {
    return browser.get(authorizationRequest(stack.client));
  }

  /** Rows of `audit_event` in which `needle` appears in any column (each row cast to text). */
  async function rowsContaining(needle: string): Promise<number> {
    const { rows } = await stack.db.query(
      'select count(*)::int as n from audit_event a where strpos(a::text, $1) > 0',
      [needle],
    );
    return rows[0].n as number;
  }

  it(`leaves no trace of the password "${SECRET_PASSWORD}" in the rows or the log`, async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('hunter');
    await browser.post('/signup', { email, password: SECRET_PASSWORD }, await browser.get('/signup'));
    const mail = await stack.sink.waitFor(email, /Confirm your e-mail/);
    const verifyLink = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/verify-email`));
    const verifyToken = verifyLink.searchParams.get('token')!;
    await browser.post(
      '/verify-email',
      { token: verifyToken },
      await browser.get(verifyLink.pathname + verifyLink.search),
    );

    // Failed sign-ins: wrong password for another account, unknown address, password in the e-mail field.
    const stranger = new BrowserSession(stack.server.issuer);
    await signIn(stranger, await signInPage(stranger), newEmail('other'), SECRET_PASSWORD);
    await signIn(stranger, await signInPage(stranger), SECRET_PASSWORD, SECRET_PASSWORD);
    await signIn(stranger, await signInPage(stranger), email, `${SECRET_PASSWORD}-typo`);

    // A successful sign-in, a code flow to tokens, a password change and a reset.
    const tokens = await obtainTokens(stack.server, browser, stack.client, {
      email,
      password: SECRET_PASSWORD,
    });
    const account = await signInToAccount(new BrowserSession(stack.server.issuer), email, SECRET_PASSWORD);
    expect(account.html).to.contain('Connected apps');
    await submit(browser, await browser.get('/account'), /\/account\/password$/, {
      current: SECRET_PASSWORD,
      password: `${SECRET_PASSWORD}-2`,
    });
    await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    const reset = await stack.sink.waitFor(email, /Reset your password/);
    const resetLink = new URL(stack.sink.linkIn(reset, `${stack.server.issuer}/reset-password`));
    const resetToken = resetLink.searchParams.get('token')!;
    await browser.post(
      '/reset-password',
      { token: resetToken, password: `${SECRET_PASSWORD}-3` },
      await browser.get(resetLink.pathname + resetLink.search),
    );

    // The events are there ...
    const { rows } = await stack.db.query(
      "select action, outcome, detail from audit_event where detail->>'email' = $1 or subject_id = (select id::text from account where email = $1)",
      [email],
    );
    const actions = rows.map((r) => `${r.action}:${r.outcome}`);
    for (const expected of [
      'user.sign_up:success',
      'user.email_verified:success',
      'user.sign_in:success',
      'user.sign_in:failure',
      'user.password_changed:success',
      'user.password_reset_requested:success',
      'user.password_reset:success',
    ]) {
      expect(actions, 'the audit trail has the events').to.include(expected);
    }
    const typedAsEmail = await stack.db.query(
      "select detail from audit_event where action = 'user.sign_in' and detail->>'email' = '[not an e-mail address]'",
    );
    expect(typedAsEmail.rows.length, 'a password typed as the address is not kept').to.be.greaterThan(0);
    expect(stack.logs.filter((l) => l.includes('"audit"')).length).to.be.greaterThan(5);

    // ... and no secret is, in any column or any log line.
    const secrets = {
      password: SECRET_PASSWORD,
      verifyToken,
      resetToken,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      clientSecret: stack.client.client_secret,
    };
    for (const [what, value] of Object.entries(secrets)) {
      expect(await rowsContaining(value), `${what} in audit_event`).to.equal(0);
      expect(
        stack.logs.filter((line) => line.includes(value)),
        `${what} in the log`,
      ).to.deep.equal([]);
    }
  });
});
