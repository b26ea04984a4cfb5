import { expect } from 'chai';
import {
  accountRow,
  newEmail,
  PASSWORD,
  revokableGrants,
  signInToAccount,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, consent, signIn, signUpVerified } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import { loggedEvent, newRequestId, theEvent, who } from './audit-support.ts';

const USER_AGENT = 'audit-test-agent/1.0';

describe('audit trail: accounts, sign-in and consent', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: true, logs: 'info' });

  /** A browser whose next requests carry `as(tag)`'s request id (and a recognisable user agent). */
  function newBrowser() {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    const browser = new BrowserSession(stack.server.issuer, headers);
    const as = (tag: string) => {
      headers['x-request-id'] = newRequestId(tag);
      return headers['x-request-id'];
    };
    return { browser, as };
  }

  const accountId = async (email: string) => (await accountRow(stack.db, email))!.id;

  async function signInPage(browser: BrowserSession): Promise<Page> {
    const page = await browser.get(authorizationRequest(stack.client));
    expect(page.html).to.contain('action="/interaction/');
    return page;
  }

  it('records sign-up, e-mail verification, sign-in and consent with who, IP, request id and user agent', async () => {
    const { browser, as } = newBrowser();
    const email = newEmail('audit');
    const form = await browser.get('/signup');
    const signUpId = as('signup');
    expect((await browser.post('/signup', { email, password: PASSWORD }, form)).status).to.equal(200);
    const id = await accountId(email);
    const signUp = await theEvent(stack.db, signUpId, 'user.sign_up');
    expect(who(signUp)).to.deep.equal({
      outcome: 'success',
      actor_type: 'anonymous',
      actor_id: null,
      subject_type: 'user',
      subject_id: id,
    });
    expect(signUp.detail).to.deep.equal({ email });
    expect(signUp.user_agent).to.equal(USER_AGENT);
    expect(loggedEvent(stack.logs, signUpId, 'user.sign_up'), 'logged as JSON').to.equal(true);

    const mail = await stack.sink.waitFor(email, /Confirm your e-mail/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/verify-email`));
    const confirm = await browser.get(link.pathname + link.search);
    const verifyId = as('verify');
    await browser.post('/verify-email', { token: link.searchParams.get('token')! }, confirm);
    expect(who(await theEvent(stack.db, verifyId, 'user.email_verified'))).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });

    const page = await signInPage(browser);
    const signInId = as('signin');
    const consentPage = await signIn(browser, page, email, PASSWORD);
    const signedIn = await theEvent(stack.db, signInId, 'user.sign_in');
    expect(who(signedIn)).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });
    expect(signedIn.client_id).to.equal(stack.client.client_id);
    expect(signedIn.detail).to.deep.equal({ email });
    expect(loggedEvent(stack.logs, signInId, 'user.sign_in')).to.equal(true);

    const consentId = as('consent');
    const done = await consent(browser, consentPage, 'allow');
    expect(done.leftTo?.searchParams.get('code')).to.be.a('string');
    const granted = await theEvent(stack.db, consentId, 'consent.granted');
    expect(who(granted)).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });
    expect(granted.client_id).to.equal(stack.client.client_id);
    expect(granted.detail).to.include({ first_party: false });
    expect(granted.detail.grant_id).to.be.a('string');
    expect(granted.detail.scopes).to.include('vectors:read');
  });

  it('records failed sign-ins with the reason and the address as typed, never the password', async () => {
    const { browser, as } = newBrowser();
    const email = newEmail('audit-fail');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const id = await accountId(email);

    const wrongId = as('wrong-password');
    expect((await signIn(browser, await signInPage(browser), email, 'not the password')).status).to.equal(
      400,
    );
    const wrong = await theEvent(stack.db, wrongId, 'user.sign_in');
    expect(who(wrong)).to.deep.equal({
      outcome: 'failure',
      actor_type: 'anonymous',
      actor_id: null,
      subject_type: 'user',
      subject_id: id,
    });
    expect(wrong.detail).to.deep.equal({ email, reason: 'invalid' });
    expect(wrong.client_id).to.equal(stack.client.client_id);
    expect(loggedEvent(stack.logs, wrongId, 'user.sign_in')).to.equal(true);

    const unknown = newEmail('nobody');
    const unknownId = as('unknown');
    await signIn(browser, await signInPage(browser), unknown, PASSWORD);
    const nobody = await theEvent(stack.db, unknownId, 'user.sign_in');
    expect(nobody).to.include({ outcome: 'failure', subject_id: null });
    expect(nobody.detail).to.deep.equal({ email: unknown, reason: 'invalid' });

    const unverified = newEmail('unverified');
    await browser.post('/signup', { email: unverified, password: PASSWORD }, await browser.get('/signup'));
    const unverifiedId = as('unverified');
    await signIn(browser, await signInPage(browser), unverified, PASSWORD);
    const pending = await theEvent(stack.db, unverifiedId, 'user.sign_in');
    expect(pending).to.include({ outcome: 'failure', subject_id: await accountId(unverified) });
    expect(pending.detail).to.include({ reason: 'unverified' });

    const disable = await stack.server.admin('POST', `/admin/users/${id}/disable`);
    expect(disable.status).to.equal(204);
    const disabled = await theEvent(stack.db, disable.headers.get('x-request-id')!, 'user.disabled');
    expect(who(disabled)).to.deep.equal({
      outcome: 'success',
      actor_type: 'admin',
      actor_id: null,
      subject_type: 'user',
      subject_id: id,
    });
    const disabledId = as('disabled');
    await signIn(browser, await signInPage(browser), email, PASSWORD);
    expect((await theEvent(stack.db, disabledId, 'user.sign_in')).detail).to.include({ reason: 'disabled' });
  });

  it('records password reset (requested, refused, completed) and password change', async () => {
    const { browser, as } = newBrowser();
    const email = newEmail('audit-reset');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const id = await accountId(email);

    const requestId = as('forgot');
    await browser.post('/forgot-password', { email }, await browser.get('/forgot-password'));
    const requested = await theEvent(stack.db, requestId, 'user.password_reset_requested');
    expect(who(requested)).to.deep.equal({
      outcome: 'success',
      actor_type: 'anonymous',
      actor_id: null,
      subject_type: 'user',
      subject_id: id,
    });
    expect(requested.detail).to.deep.equal({ email });

    const form = await browser.get('/reset-password');
    const refusedId = as('reset-refused');
    await browser.post(
      '/reset-password',
      { token: 'not-a-real-token', password: 'a brand new passphrase' },
      form,
    );
    const refused = await theEvent(stack.db, refusedId, 'user.password_reset');
    expect(refused).to.include({ outcome: 'failure', subject_id: null });
    expect(refused.detail).to.deep.equal({ reason: 'invalid_link' });

    const mail = await stack.sink.waitFor(email, /Reset your password/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/reset-password`));
    const resetForm = await browser.get(link.pathname + link.search);
    const resetId = as('reset');
    const reset = await browser.post(
      '/reset-password',
      { token: link.searchParams.get('token')!, password: 'a brand new passphrase' },
      resetForm,
    );
    expect(reset.html).to.contain('Password changed');
    expect(who(await theEvent(stack.db, resetId, 'user.password_reset'))).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });

    const account = await signInToAccount(browser, email, 'a brand new passphrase');
    const wrongId = as('change-wrong');
    const wrong = await submit(browser, account, /\/account\/password$/, {
      current: 'not my password',
      password: 'another new passphrase',
    });
    expect(wrong.status).to.equal(400);
    const refusedChange = await theEvent(stack.db, wrongId, 'user.password_changed');
    expect(refusedChange).to.include({ outcome: 'failure', actor_id: id, subject_id: id });
    expect(refusedChange.detail).to.deep.equal({ reason: 'wrong_current' });

    const changeId = as('change');
    await submit(browser, account, /\/account\/password$/, {
      current: 'a brand new passphrase',
      password: 'another new passphrase',
    });
    expect(who(await theEvent(stack.db, changeId, 'user.password_changed'))).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });
  });

  it('records consent denied and withdrawn, signing out everywhere, and account deletion', async () => {
    const { browser, as } = newBrowser();
    const email = newEmail('audit-consent');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const id = await accountId(email);

    const consentPage = await signIn(browser, await signInPage(browser), email, PASSWORD);
    const deniedId = as('deny');
    await consent(browser, consentPage, 'deny');
    const denied = await theEvent(stack.db, deniedId, 'consent.denied');
    expect(denied).to.include({ outcome: 'failure', actor_id: id, client_id: stack.client.client_id });

    await consent(browser, await signInPage(browser), 'allow');
    const account = await browser.get('/account');
    expect(account.html).to.contain('Connected apps');
    const [grant] = revokableGrants(account);
    expect(grant).to.be.a('string');
    const withdrawId = as('withdraw');
    await submit(browser, account, /\/account\/apps\/revoke$/, { grant: grant!, confirmed: 'yes' });
    const withdrawn = await theEvent(stack.db, withdrawId, 'consent.withdrawn');
    expect(who(withdrawn)).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });
    expect(withdrawn.client_id).to.equal(stack.client.client_id);
    expect(withdrawn.detail).to.deep.equal({ grant_id: grant });

    const everywhereId = as('everywhere');
    await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, { confirmed: 'yes' });
    expect(who(await theEvent(stack.db, everywhereId, 'user.signed_out_everywhere'))).to.deep.equal({
      outcome: 'success',
      actor_type: 'user',
      actor_id: id,
      subject_type: 'user',
      subject_id: id,
    });

    const deleted = await stack.server.admin('DELETE', `/admin/users/${id}`);
    expect(deleted.status).to.equal(204);
    expect(who(await theEvent(stack.db, deleted.headers.get('x-request-id')!, 'user.deleted'))).to.deep.equal(
      {
        outcome: 'success',
        actor_type: 'admin',
        actor_id: null,
        subject_type: 'user',
        subject_id: id,
      },
    );
  });
});
