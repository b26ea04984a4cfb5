import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { PASSWORD } from '../../support/accounts.ts';
import { appAsks, idTokenClaims } from '../../support/app-id-token.ts';
import { asksForCode, enterCode, setUpAuthenticator } from '../../support/authenticator.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { signIn } from '../../support/code-flow.ts';
import {
  fetchPasskeyOptions,
  offersPasskey,
  passkeyFormOf,
  personWithPasskey,
  postPasskeyAnswer,
  usePasskey,
} from '../../support/passkey-steps.ts';
import { type RequestOptions, SoftwarePasskey } from '../../support/software-passkey.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const MFA = 'urn:vectorauth:acr:mfa';

/**
 * Signing in with a passkey: passwordless from the sign-in page (two factors when the passkey
 * verified the person, one otherwise: the sign-in goes on as after a password), as the second step
 * after a password, and as the step-up of a one-factor session; what the app's ID token then says.
 */
describe('passkeys at sign-in: passwordless, second step, step-up', function () {
  this.timeout(120_000);
  // The step-up test's answer without user verification, refused on purpose.
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit passkey.failed' }]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  /** A new browser at the app's sign-in page. */
  async function atSignIn(params: Record<string, string> = {}) {
    const browser = new BrowserSession(stack.server.issuer);
    const { page, verifier } = await appAsks(stack, browser, params);
    expect(page.html).to.contain('/login"');
    return { browser, page, verifier };
  }
  const audited = async (accountId: string, action: string) =>
    (
      await stack.db.query(
        'select detail from audit_event where subject_id = $1 and action = $2 order by id',
        [accountId, action],
      )
    ).rows.map((r) => r.detail as Record<string, unknown>);
  const stored = async (accountId: string) =>
    (
      await stack.db.query('select counter, last_used_at from passkey_credential where account_id = $1', [
        accountId,
      ])
    ).rows[0] as { counter: string; last_used_at: Date | null };
  /** A page of the sign-in's second step that offers a passkey and no authenticator code. */
  const asksForPasskeyOnly = (page: Page) => {
    expect(page.html, page.html).to.contain('<h1>Two-step sign-in</h1>');
    expect(offersPasskey(page)).to.equal(true);
    expect(page.html).to.not.contain('name="code"');
  };

  it('passwordless with a passkey that verifies the person: two factors, the app gets hwk, user and mfa', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    const { browser, page, verifier } = await atSignIn();
    const form = passkeyFormOf(page)!;
    expect(form.ceremony).to.equal('authenticate');
    expect(form.action).to.match(/^\/interaction\/[^/]+\/passkey$/);
    expect(page.html).to.contain('Use a passkey');
    const options = await fetchPasskeyOptions<RequestOptions>(browser, form.options, page);
    expect(options.options).to.include({ rpId: 'localhost', userVerification: 'preferred' });
    expect(options.options!.allowCredentials, 'any passkey of ours: no e-mail asked').to.deep.equal([]);

    const done = await usePasskey(browser, page, passkey);
    const claims = await idTokenClaims(stack, browser, done, verifier);
    expect(claims.amr).to.deep.equal(['hwk', 'user', 'mfa']);
    expect(claims.acr).to.equal(MFA);
    const after = await stored(id);
    expect(Number(after.counter), 'registration said 1, this use 2').to.equal(2);
    expect(after.last_used_at).to.be.instanceOf(Date);
    expect(await audited(id, 'passkey.used')).to.deep.equal([
      {
        during: 'sign_in',
        passkey: (await audited(id, 'passkey.registered'))[0]!.passkey,
        user_verified: true,
        backed_up: false,
      },
    ]);
    expect((await audited(id, 'user.sign_in')).at(-1)).to.include({ method: 'passkey' });
  });

  it('a passkey that does not verify the person is one factor: acr hwk alone, the authenticator code after it', async () => {
    const passkey = new SoftwarePasskey(stack.server.issuer, { userVerified: false });
    const { browser: home, page: accountPage } = await personWithPasskey(stack, passkey);

    const first = await atSignIn();
    const alone = await usePasskey(first.browser, first.page, passkey);
    const one = await idTokenClaims(stack, first.browser, alone, first.verifier);
    expect(one.amr).to.deep.equal(['hwk', 'user']);
    expect(one.acr).to.equal('urn:vectorauth:acr:hwk');

    const { authenticator } = await setUpAuthenticator(home, accountPage);
    const second = await atSignIn();
    const asked = await usePasskey(second.browser, second.page, passkey);
    expect(asksForCode(asked), 'on to the second factor, as after a password').to.equal(true);
    expect(asked.html, 'the same passkey again only if it verifies the person').to.contain(
      'This time the passkey must check it is you',
    );
    const done = await enterCode(second.browser, asked, { code: await authenticator.code() });
    const both = await idTokenClaims(stack, second.browser, done, second.verifier);
    expect(both.amr).to.deep.equal(['hwk', 'user', 'otp']);
    expect(both.acr).to.equal(MFA);
  });

  it('after the password, an account with passkeys and no authenticator app is asked for a passkey', async () => {
    const { email, id, passkey } = await personWithPasskey(stack);
    const { browser, page, verifier } = await atSignIn();
    const asked = await signIn(browser, page, email, PASSWORD);
    asksForPasskeyOnly(asked);
    // Not signed in meanwhile.
    expect((await browser.tab().get('/account')).html).to.not.contain('Connected apps');
    const form = passkeyFormOf(asked)!;
    expect(form.action).to.match(/\/second-factor\/passkey$/);
    const options = await fetchPasskeyOptions<RequestOptions>(browser, form.options, asked);
    expect(
      options.options!.allowCredentials!.map((c) => c.id),
      "only the account's own",
    ).to.deep.equal([passkey.credentialId]);
    const done = await usePasskey(browser, asked, passkey);
    const claims = await idTokenClaims(stack, browser, done, verifier);
    expect(claims.amr).to.deep.equal(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).to.equal(MFA);
    expect((await audited(id, 'user.sign_in')).at(-1)).to.include({ email, second_factor: 'passkey' });
    expect((await audited(id, 'passkey.used')).at(-1)).to.include({ during: 'second_factor' });

    // A security key without a PIN makes the second factor all the same.
    const plain = new SoftwarePasskey(stack.server.issuer, { userVerified: false });
    const other = await personWithPasskey(stack, plain);
    const next = await atSignIn();
    const second = await usePasskey(
      next.browser,
      await signIn(next.browser, next.page, other.email, PASSWORD),
      plain,
    );
    const two = await idTokenClaims(stack, next.browser, second, next.verifier);
    expect(two.amr).to.deep.equal(['pwd', 'hwk', 'user']);
    expect(two.acr).to.equal(MFA);
  });

  it('with both an authenticator app and a passkey, the second step offers both', async () => {
    const { browser: home, email, passkey, page } = await personWithPasskey(stack);
    await setUpAuthenticator(home, page);
    const { browser, page: signInPage, verifier } = await atSignIn();
    const asked = await signIn(browser, signInPage, email, PASSWORD);
    expect(asksForCode(asked)).to.equal(true);
    expect(offersPasskey(asked)).to.equal(true);
    expect(asked.html).to.contain('Or use a passkey you added to your account.');
    const claims = await idTokenClaims(stack, browser, await usePasskey(browser, asked, passkey), verifier);
    expect(claims.acr).to.equal(MFA);
  });

  it('steps up a password session (acr_values=mfa) with a passkey, without asking the password again', async () => {
    // Signed in with the password before the passkey was added: a one-factor session.
    const { browser, passkey } = await personWithPasskey(stack);
    const plain = await appAsks(stack, browser);
    expect((await idTokenClaims(stack, browser, plain.page, plain.verifier)).acr).to.equal(
      'urn:vectorauth:acr:pwd',
    );
    const stepUp = await appAsks(stack, browser, { acr_values: MFA });
    asksForPasskeyOnly(stepUp.page);
    const claims = await idTokenClaims(
      stack,
      browser,
      await usePasskey(browser, stepUp.page, passkey),
      stepUp.verifier,
    );
    expect(claims.amr).to.deep.equal(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).to.equal(MFA);
  });

  it('steps up a session of a passkey that did not verify the person only with one that does', async () => {
    const passkey = new SoftwarePasskey(stack.server.issuer, { userVerified: false });
    const { id } = await personWithPasskey(stack, passkey);
    const { browser, page, verifier } = await atSignIn();
    const signedIn = await usePasskey(browser, page, passkey);
    expect((await idTokenClaims(stack, browser, signedIn, verifier)).acr).to.equal('urn:vectorauth:acr:hwk');

    const stepUp = await appAsks(stack, browser, { acr_values: MFA });
    asksForPasskeyOnly(stepUp.page);
    expect(stepUp.page.html).to.contain('This time the passkey must check it is you');
    const form = passkeyFormOf(stepUp.page)!;
    const options = await fetchPasskeyOptions<RequestOptions>(browser, form.options, stepUp.page);
    expect(options.options!.userVerification).to.equal('required');
    const refused = await postPasskeyAnswer(
      browser,
      form.action,
      passkey.answer(options.options!),
      stepUp.page,
    );
    expect(refused.status).to.equal(400);
    expect(refused.html).to.contain('That passkey could not sign you in.');
    const verified = await usePasskey(browser, refused, passkey, { userVerified: true });
    const claims = await idTokenClaims(stack, browser, verified, stepUp.verifier);
    expect(claims.amr).to.deep.equal(['hwk', 'user', 'mfa']);
    expect(claims.acr).to.equal(MFA);
    expect((await audited(id, 'passkey.failed')).map((d) => d.reason)).to.deep.equal(['invalid_response']);
  });
});
