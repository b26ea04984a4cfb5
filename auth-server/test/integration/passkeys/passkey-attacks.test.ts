import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { PASSWORD } from '../../support/accounts.ts';
import { appAsks } from '../../support/app-id-token.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { signIn } from '../../support/code-flow.ts';
import {
  fetchPasskeyOptions,
  passkeyFormOf,
  personWithPasskey,
  postPasskeyAnswer,
  usePasskey,
} from '../../support/passkey-steps.ts';
import { type Forgery, type RequestOptions, SoftwarePasskey } from '../../support/software-passkey.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * What an attacker could send instead of a passkey's honest answer, each refused without a
 * sign-in: a replayed or foreign challenge, a cloned authenticator (its counter going backwards),
 * another account's passkey or user handle, another origin or RP ID, a forged signature, garbage.
 */
describe('passkeys at sign-in: forged and replayed answers are refused', function () {
  this.timeout(120_000);
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit passkey.failed' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  /** A new browser at the app's sign-in page, and its passkey form. */
  async function atSignIn() {
    const browser = new BrowserSession(stack.server.issuer);
    const { page } = await appAsks(stack, browser);
    return { browser, page, form: passkeyFormOf(page)! };
  }
  /** Fresh options of the page's passkey form. */
  async function optionsOn(browser: BrowserSession, page: Page): Promise<RequestOptions> {
    const fetched = await fetchPasskeyOptions<RequestOptions>(browser, passkeyFormOf(page)!.options, page);
    expect(fetched.status, fetched.message).to.equal(200);
    return fetched.options!;
  }
  /** A sign-in page again, refusing the passkey: no session, no code for the app. */
  function refused(page: Page, words = 'That passkey could not sign you in.') {
    expect(page.status, page.html).to.equal(400);
    expect(page.leftTo).to.equal(undefined);
    expect(page.html).to.contain(words);
  }
  const reasons = async (accountId: string | null) =>
    (
      await stack.db.query(
        `select detail->>'reason' as reason from audit_event
         where action = 'passkey.failed' and subject_id is not distinct from $1 order by id`,
        [accountId],
      )
    ).rows.map((r) => r.reason as string);
  const counterOf = async (accountId: string) =>
    Number(
      (await stack.db.query('select counter from passkey_credential where account_id = $1', [accountId]))
        .rows[0].counter,
    );

  it('an answer works once: replayed in another browser, or in the same browser signing in again, it is refused', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    const { browser, page, form } = await atSignIn();
    const answer = passkey.answer(await optionsOn(browser, page));
    const first = await postPasskeyAnswer(browser, form.action, answer, page);
    expect(first.leftTo ?? first.html.includes('/consent"'), 'the first use signs in').to.be.ok;

    const elsewhere = await atSignIn();
    refused(
      await postPasskeyAnswer(elsewhere.browser, elsewhere.form.action, answer, elsewhere.page),
      'too late',
    );
    const again = await appAsks(stack, browser, { prompt: 'login' });
    refused(
      await postPasskeyAnswer(browser, passkeyFormOf(again.page)!.action, answer, again.page),
      'too late',
    );
    expect(await reasons(id)).to.deep.equal(['challenge', 'challenge']);
  });

  it('a challenge of another interaction, or of the other step, or expired, is refused', async () => {
    const { id, email, passkey } = await personWithPasskey(stack);
    const mine = await atSignIn();
    const theirs = await atSignIn();
    // Made for the other browser's interaction, posted in mine: refused, and still theirs to use.
    const foreign = passkey.answer(await optionsOn(theirs.browser, theirs.page));
    refused(await postPasskeyAnswer(mine.browser, mine.form.action, foreign, mine.page), 'too late');
    const owners = await postPasskeyAnswer(theirs.browser, theirs.form.action, foreign, theirs.page);
    expect(owners.status, 'the browser it was made for signs in with it').to.not.equal(400);
    // The second step's challenge used passwordless, and the other way round.
    const next = await atSignIn();
    const asked = await signIn(next.browser, next.page, email, PASSWORD);
    const secondStep = passkeyFormOf(asked)!;
    const stepAnswer = passkey.answer(await optionsOn(next.browser, asked));
    const passwordless = secondStep.action.replace('/second-factor', '');
    refused(await postPasskeyAnswer(next.browser, passwordless, stepAnswer, asked), 'too late');
    const signInAnswer = passkey.answer(await optionsOn(mine.browser, mine.page));
    refused(await postPasskeyAnswer(next.browser, secondStep.action, signInAnswer, asked), 'too late');
    // Expired.
    const old = await optionsOn(mine.browser, mine.page);
    await stack.db.query(
      "update passkey_challenge set expires_at = now() - interval '1 second' where challenge = $1",
      [old.challenge],
    );
    refused(
      await postPasskeyAnswer(mine.browser, mine.form.action, passkey.answer(old), mine.page),
      'too late',
    );
    expect(await reasons(id)).to.deep.equal(['challenge', 'challenge', 'challenge', 'challenge']);
  });

  it('a counter that goes backwards (a cloned authenticator) is refused and audited; the stored counter stays', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    const ok = await atSignIn();
    await usePasskey(ok.browser, ok.page, passkey, { counter: 10 });
    expect(await counterOf(id)).to.equal(10);
    for (const counter of [10, 9, 0]) {
      const clone = await atSignIn();
      refused(await usePasskey(clone.browser, clone.page, passkey, { counter }));
    }
    expect(await counterOf(id)).to.equal(10);
    const audits = await stack.db.query(
      `select detail from audit_event where action = 'passkey.failed' and subject_id = $1 order by id`,
      [id],
    );
    expect(
      audits.rows.map((r) => [r.detail.reason, r.detail.stored_counter, r.detail.presented_counter]),
    ).to.deep.equal([
      ['counter_regressed', 10, 10],
      ['counter_regressed', 10, 9],
      ['counter_regressed', 10, 0],
    ]);
    const genuine = await atSignIn();
    const on = await usePasskey(genuine.browser, genuine.page, passkey, { counter: 11 });
    expect(on.status, 'the genuine authenticator goes on').to.not.equal(400);
  });

  it('an authenticator that keeps no counter (always 0) signs in every time', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    await stack.db.query('update passkey_credential set counter = 0 where account_id = $1', [id]);
    for (let i = 0; i < 2; i++) {
      const { browser, page } = await atSignIn();
      const done = await usePasskey(browser, page, passkey, { counter: 0 });
      expect(done.status, done.html).to.not.equal(400);
    }
    expect(await counterOf(id)).to.equal(0);
  });

  it("account A's passkey cannot sign in as B: not at B's second step, not with B's user handle", async () => {
    const a = await personWithPasskey(stack);
    const b = await personWithPasskey(stack);
    // B's password typed; A's passkey offered as B's second step.
    const { browser, page } = await atSignIn();
    const asked = await signIn(browser, page, b.email, PASSWORD);
    const form = passkeyFormOf(asked)!;
    const options = await optionsOn(browser, asked);
    refused(await postPasskeyAnswer(browser, form.action, a.passkey.answer(options), asked));
    // Passwordless, A's credential claiming B's user handle.
    const swapped = await atSignIn();
    refused(
      await usePasskey(swapped.browser, swapped.page, a.passkey, { userHandle: b.passkey.userHandle! }),
    );
    // Passwordless without any user handle: nobody to check it against.
    const none = await atSignIn();
    refused(await usePasskey(none.browser, none.page, a.passkey, { userHandle: null }));
    // B's credential id and user handle, signed by A's key.
    const stolen = await atSignIn();
    const asB = { credentialId: b.passkey.credentialId, userHandle: b.passkey.userHandle! };
    refused(await usePasskey(stolen.browser, stolen.page, a.passkey, asB));
    expect(await reasons(b.id)).to.deep.equal(['wrong_account', 'invalid_response']);
    expect(await reasons(a.id)).to.deep.equal(['user_handle', 'user_handle']);
  });

  it('forged answers are refused: another origin or RP ID, a registration, a signature by another key, an unknown passkey', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forgeries: Forgery[] = [
      { origin: 'https://evil.example' },
      { origin: stack.server.issuer.replace('http:', 'https:') },
      { rpId: 'evil.example' },
      { type: 'webauthn.create' },
      { signWith: privateKey },
    ];
    for (const forged of forgeries) {
      const { browser, page } = await atSignIn();
      refused(await usePasskey(browser, page, passkey, forged));
    }
    const { browser, page } = await atSignIn();
    refused(await usePasskey(browser, page, new SoftwarePasskey(stack.server.issuer)));
    expect(await reasons(id)).to.deep.equal(Array(forgeries.length).fill('invalid_response'));
    const unknown = await stack.db.query(
      `select count(*)::int as n from audit_event where action = 'passkey.failed' and actor_type = 'anonymous'
       and detail->>'reason' = 'unknown_credential'`,
    );
    expect(unknown.rows[0].n).to.be.greaterThan(0);
  });

  it('garbage in the answer field is a 400 page, never a 500', async () => {
    const { browser, page, form } = await atSignIn();
    const long = JSON.stringify({ id: 'A'.repeat(8000) });
    const shapeless = '{"id":"a","rawId":"a","type":"public-key","response":{}}';
    for (const garbage of ['', 'null', '{}', '{"id":1}', 'x'.repeat(2000), long, shapeless]) {
      const answer = await postPasskeyAnswer(browser, form.action, garbage, page);
      expect(answer.status, garbage.slice(0, 40)).to.equal(400);
      expect(answer.html).to.contain('Your browser did not send a passkey.');
    }
    // Longer than any form value may be: refused before any handler reads it.
    const huge = await postPasskeyAnswer(browser, form.action, 'A'.repeat(9000), page);
    expect(huge.status).to.equal(400);
    expect(huge.html).to.contain('This form cannot be used');
    const options = await fetchPasskeyOptions(browser, '/interaction/no-such-sign-in/passkey/options', page);
    expect(options.status).to.equal(400);
    expect(options.message).to.contain('This sign-in has expired');
  });

  it('a disabled account cannot sign in with its passkey', async () => {
    const { id, passkey } = await personWithPasskey(stack);
    expect((await stack.server.admin('POST', `/admin/users/${id}/disable`)).status).to.be.oneOf([200, 204]);
    const { browser, page } = await atSignIn();
    refused(await usePasskey(browser, page, passkey), 'This account is disabled.');
    const signIns = await stack.db.query(
      `select detail->>'reason' as reason from audit_event where action = 'user.sign_in' and subject_id = $1 and outcome = 'failure'`,
      [id],
    );
    expect(signIns.rows.map((r) => r.reason)).to.deep.equal(['disabled']);
  });
});
