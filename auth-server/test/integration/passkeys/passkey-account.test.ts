import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { accountRow, newSignedInAccount, PASSWORD, signInToAccount } from '../../support/accounts.ts';
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
import { ageSessions } from '../../support/session-age.ts';
import { type CreationOptions, type Forgery, SoftwarePasskey } from '../../support/software-passkey.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * Passkeys on the account page: adding several (after a recent sign-in), what is stored, the
 * registration challenge (single use, bound to the account and the session), forged registrations,
 * renaming, removing (the password again, on a confirmation page), and deleting the account.
 */
describe('passkeys on the account page: add, name, remove', function () {
  this.timeout(120_000);
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit passkey.failed' },
    { service: 'auth-server', level: 'warn', msg: 'audit passkey.removed' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true });

  const events = async (accountId: string, action: string) =>
    (
      await stack.db.query(
        'select outcome, detail from audit_event where subject_id = $1 and action = $2 order by id',
        [accountId, action],
      )
    ).rows as { outcome: string; detail: Record<string, unknown> }[];
  const refusals = async (accountId: string) =>
    (await events(accountId, 'passkey.failed')).map((e) => e.detail.reason);
  const credentials = async (accountId: string) =>
    (
      await stack.db.query(
        `select credential_id, public_key, counter, transports, device_type, backed_up, name, last_used_at
         from passkey_credential where account_id = $1 order by created_at`,
        [accountId],
      )
    ).rows as {
      credential_id: string;
      public_key: Buffer;
      counter: string;
      transports: string[];
      device_type: string;
      backed_up: boolean;
      name: string;
      last_used_at: Date | null;
    }[];
  const registrationOptions = async (browser: BrowserSession, page: Page) => {
    const fetched = await fetchPasskeyOptions<CreationOptions>(browser, '/account/passkeys/options', page);
    expect(fetched.status, fetched.message).to.equal(200);
    return fetched.options!;
  };
  /** Registers `passkey` from `page` with options fetched now, the answer changed by `forged`. */
  const register = async (browser: BrowserSession, page: Page, passkey: SoftwarePasskey, forged: Forgery) =>
    postPasskeyAnswer(
      browser,
      '/account/passkeys',
      passkey.register(await registrationOptions(browser, page), forged),
      page,
    );

  it('adds several passkeys: the options as WebAuthn asks, each verified, stored, listed and audited', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page } = await newSignedInAccount(browser, stack.sink);
    const id = (await accountRow(stack.db, email))!.id;
    expect(page.html).to.contain('Passkeys</h2>');
    expect(page.html).to.contain('You have no passkeys.');
    expect(passkeyFormOf(page)).to.deep.equal({
      action: '/account/passkeys',
      ceremony: 'register',
      options: '/account/passkeys/options',
    });
    expect(page.html).to.contain('<script src="/static/passkeys.js" defer></script>');

    const options = await registrationOptions(browser, page);
    expect(options.rp).to.deep.equal({ id: 'localhost', name: 'vectorauth' });
    expect(options.user.name).to.equal(email);
    const handle = Buffer.from(options.user.id, 'base64url');
    expect(handle, 'a random user handle, nothing personal').to.have.length(32);
    expect(handle.toString('latin1')).to.not.contain(id);
    expect(options.authenticatorSelection).to.include({
      residentKey: 'required',
      userVerification: 'preferred',
    });
    expect(options.attestation).to.equal('none');
    expect(options.excludeCredentials).to.deep.equal([]);
    expect(options.challenge).to.match(/^[A-Za-z0-9_-]{43}$/);

    const key = new SoftwarePasskey(stack.server.issuer);
    const added = await postPasskeyAnswer(browser, '/account/passkeys', key.register(options), page);
    expect(added.status).to.equal(200);
    expect(added.html).to.contain('The passkey was added.');
    expect(added.html).to.contain('Security key');
    expect(added.html).to.contain('aria-label="Remove the passkey Security key"');

    // A synced one from a Mac: named after the platform the browser runs on.
    browser.headers['user-agent'] = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15';
    const second = await registrationOptions(browser, added);
    expect(second.user.id, 'the same user handle every time').to.equal(options.user.id);
    expect(second.excludeCredentials, 'the first is excluded').to.deep.equal([
      { id: key.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
    const synced = new SoftwarePasskey(stack.server.issuer, {
      synced: true,
      transports: ['internal', 'hybrid'],
    });
    const both = await postPasskeyAnswer(browser, '/account/passkeys', synced.register(second), added);
    expect(both.html).to.contain('Passkey on Mac');
    expect(both.html).to.contain('synced across your devices');

    const rows = await credentials(id);
    expect(rows.map((r) => [r.credential_id, r.name, Number(r.counter), r.transports])).to.deep.equal([
      [key.credentialId, 'Security key', 1, ['usb']],
      [synced.credentialId, 'Passkey on Mac', 1, ['internal', 'hybrid']],
    ]);
    expect(rows.map((r) => [r.device_type, r.backed_up])).to.deep.equal([
      ['singleDevice', false],
      ['multiDevice', true],
    ]);
    expect(rows[0]!.public_key[0], 'a COSE key (a CBOR map)').to.equal(0xa5);
    expect(rows[0]!.last_used_at).to.equal(null);
    const registered = await events(id, 'passkey.registered');
    expect(
      registered.map((e) => [e.detail.name, e.detail.device_type, e.detail.user_verified]),
    ).to.deep.equal([
      ['Security key', 'singleDevice', true],
      ['Passkey on Mac', 'multiDevice', true],
    ]);
  });

  it('adding needs a recent sign-in: an old session is asked to sign in again, its options and posts refused', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page } = await newSignedInAccount(browser, stack.sink);
    const id = (await accountRow(stack.db, email))!.id;
    const options = await registrationOptions(browser, page);
    await ageSessions(stack.db, id, 3600);
    const stale = await browser.get('/account');
    expect(stale.html).to.contain('Sign in again to add a passkey');
    expect(offersPasskey(stale)).to.equal(false);
    const refused = await fetchPasskeyOptions(browser, '/account/passkeys/options', stale);
    expect(refused.status).to.equal(403);
    expect(refused.message).to.contain('needs a sign-in within the last 5 minutes');
    // An answer made before the session grew old is refused too.
    const late = await postPasskeyAnswer(
      browser,
      '/account/passkeys',
      new SoftwarePasskey(stack.server.issuer).register(options),
      stale,
    );
    expect(late.status).to.equal(403);
    expect(late.html).to.contain('Adding a passkey needs a sign-in within the last 5 minutes');
    expect(await credentials(id)).to.deep.equal([]);

    const again = await browser.get('/account/confirm-identity');
    expect(again.html, 'the password is asked even though signed in').to.contain('name="password"');
    const back = await signIn(browser, again, email, PASSWORD);
    expect(offersPasskey(back)).to.equal(true);
    expect((await usePasskey(browser, back, new SoftwarePasskey(stack.server.issuer))).html).to.contain(
      'The passkey was added.',
    );
  });

  it('a registration challenge works once, for its account and session only, and not after it expired', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page } = await newSignedInAccount(browser, stack.sink);
    const id = (await accountRow(stack.db, email))!.id;
    const notAdded = (result: Page) => {
      expect(result.status, result.html).to.equal(400);
      expect(result.html).to.contain('The passkey was not added');
    };

    // The same person signed in in another browser: another session, whose challenge this is not.
    const other = new BrowserSession(stack.server.issuer);
    const otherPage = await signInToAccount(other, email);
    const foreign = new SoftwarePasskey(stack.server.issuer).register(
      await registrationOptions(browser, page),
    );
    notAdded(await postPasskeyAnswer(other, '/account/passkeys', foreign, otherPage));
    // Once only.
    const options = await registrationOptions(browser, page);
    const answer = new SoftwarePasskey(stack.server.issuer).register(options);
    expect((await postPasskeyAnswer(browser, '/account/passkeys', answer, page)).status).to.equal(200);
    notAdded(await postPasskeyAnswer(browser, '/account/passkeys', answer, page));
    // Another account cannot spend it either.
    const stranger = new BrowserSession(stack.server.issuer);
    const { email: strangerEmail, page: strangerPage } = await newSignedInAccount(stranger, stack.sink);
    const strangerId = (await accountRow(stack.db, strangerEmail))!.id;
    const theirs = new SoftwarePasskey(stack.server.issuer).register(
      await registrationOptions(browser, page),
    );
    notAdded(await postPasskeyAnswer(stranger, '/account/passkeys', theirs, strangerPage));
    // Expired.
    const old = await registrationOptions(browser, page);
    await stack.db.query(
      "update passkey_challenge set expires_at = now() - interval '1 second' where challenge = $1",
      [old.challenge],
    );
    const expired = new SoftwarePasskey(stack.server.issuer).register(old);
    notAdded(await postPasskeyAnswer(browser, '/account/passkeys', expired, page));
    // A challenge nobody handed out.
    notAdded(
      await register(browser, page, new SoftwarePasskey(stack.server.issuer), { challenge: 'A'.repeat(43) }),
    );

    expect(await credentials(id)).to.have.length(1);
    expect(await credentials(strangerId)).to.deep.equal([]);
    expect(await refusals(id)).to.deep.equal(['challenge', 'challenge', 'challenge', 'challenge']);
    expect(await refusals(strangerId)).to.deep.equal(['challenge']);
  });

  it('forged registrations are refused: another origin or RP ID, an assertion, garbage, a credential someone has', async () => {
    const { browser, id, passkey } = await personWithPasskey(stack);
    const attacker = new BrowserSession(stack.server.issuer);
    const { email: attackerEmail, page: attackerPage } = await newSignedInAccount(attacker, stack.sink);
    const attackerId = (await accountRow(stack.db, attackerEmail))!.id;
    const key = () => new SoftwarePasskey(stack.server.issuer);

    for (const forged of [
      { origin: 'https://evil.example' },
      { origin: stack.server.issuer.replace('localhost', '127.0.0.1') },
      { rpId: 'evil.example' },
      { type: 'webauthn.get' },
    ]) {
      const refused = await register(attacker, attackerPage, key(), forged);
      expect(refused.status, JSON.stringify(forged)).to.equal(400);
      expect(refused.html).to.contain('The new passkey could not be checked.');
    }
    for (const garbage of ['', 'not json', '{}', '[]', JSON.stringify({ id: 'x'.repeat(5000) })]) {
      const refused = await postPasskeyAnswer(attacker, '/account/passkeys', garbage, attackerPage);
      expect(refused.status, garbage).to.equal(400);
      expect(refused.html).to.contain('Your browser did not send a new passkey.');
    }
    // The victim's credential id, with the attacker's key: refused, the victim's passkey unchanged.
    const taken = await register(attacker, attackerPage, key(), { credentialId: passkey.credentialId });
    expect(taken.status).to.equal(409);
    expect(taken.html).to.contain('That passkey is registered already.');
    expect((await credentials(id)).map((r) => r.credential_id)).to.deep.equal([passkey.credentialId]);
    expect(await credentials(attackerId)).to.deep.equal([]);
    expect(await refusals(attackerId)).to.deep.equal([
      ...Array(4).fill('invalid_response'),
      ...Array(5).fill('unreadable'),
      'already_registered',
    ]);
    expect((await browser.get('/account')).html).to.contain('Security key');
  });

  it('renames a passkey (1 to 60 characters), and only one of the account', async () => {
    const { browser, id, page } = await personWithPasskey(stack);
    const passkeyId = /name="passkey" value="([^"]+)"/.exec(page.html)?.[1];
    const form = await browser.get(`/account/passkeys/rename?passkey=${passkeyId}`);
    expect(form.html).to.contain('<h1>Rename passkey</h1>');
    expect(form.html).to.contain('value="Security key"');
    for (const name of ['', '   ', 'x'.repeat(61)]) {
      const refused = await browser.post('/account/passkeys/rename', { passkey: passkeyId!, name }, form);
      expect(refused.status, JSON.stringify(name)).to.equal(400);
      expect(refused.html).to.contain('Type a name of 1 to 60 characters.');
    }
    const done = await browser.post(
      '/account/passkeys/rename',
      { passkey: passkeyId!, name: '  blue   key <b>  ' },
      form,
    );
    expect(done.html).to.contain('The passkey was renamed.');
    expect(done.html).to.contain('blue key &lt;b&gt;');
    expect((await credentials(id)).map((r) => r.name)).to.deep.equal(['blue key <b>']);

    const stranger = new BrowserSession(stack.server.issuer);
    const { page: strangerPage } = await newSignedInAccount(stranger, stack.sink);
    const theirs = await stranger.post(
      '/account/passkeys/rename',
      { passkey: passkeyId!, name: 'mine now' },
      strangerPage,
    );
    expect(theirs.html).to.contain('That passkey is not on your account');
    expect((await stranger.get(`/account/passkeys/rename?passkey=${passkeyId}`)).html).to.contain(
      'That passkey is not on your account',
    );
    expect((await credentials(id)).map((r) => r.name)).to.deep.equal(['blue key <b>']);
  });

  it('removing asks for the password again on a confirmation page; another account cannot remove it', async () => {
    const { browser, id, page } = await personWithPasskey(stack);
    const passkeyId = /name="passkey" value="([^"]+)"/.exec(page.html)![1]!;

    const stranger = new BrowserSession(stack.server.issuer);
    const { page: strangerPage } = await newSignedInAccount(stranger, stack.sink);
    const theirs = await stranger.post(
      '/account/passkeys/remove',
      { passkey: passkeyId, confirmed: 'yes', reauth: PASSWORD },
      strangerPage,
    );
    expect(theirs.html).to.contain('That passkey is not on your account');
    expect(await credentials(id)).to.have.length(1);

    const asked = await browser.post('/account/passkeys/remove', { passkey: passkeyId }, page);
    expect(asked.html).to.contain('<h1>Remove the passkey &quot;Security key&quot;?</h1>');
    expect(asked.html).to.contain('Your password');
    expect(asked.html).to.contain('href="/account#passkeys">Cancel</a>');
    for (const reauth of ['', 'not the password']) {
      const refused = await browser.post(
        '/account/passkeys/remove',
        { passkey: passkeyId, confirmed: 'yes', reauth },
        asked,
      );
      expect(refused.status).to.equal(400);
      expect(refused.html).to.contain('That is not your password.');
    }
    expect(await credentials(id)).to.have.length(1);
    const done = await browser.post(
      '/account/passkeys/remove',
      { passkey: passkeyId, confirmed: 'yes', reauth: PASSWORD },
      asked,
    );
    expect(done.html).to.contain('The passkey was removed');
    expect(done.html).to.contain('You have no passkeys.');
    expect(await credentials(id)).to.deep.equal([]);
    expect((await events(id, 'passkey.removed')).map((e) => [e.outcome, e.detail.reason])).to.deep.equal([
      ['failure', 'wrong_password'],
      ['failure', 'wrong_password'],
      ['success', undefined],
    ]);
  });

  it('an account without a password removes a passkey after a recent sign-in instead', async () => {
    const { browser, id, page } = await personWithPasskey(stack);
    await stack.db.query("update account set password_hash = '!federated:none' where id = $1", [id]);
    const passkeyId = /name="passkey" value="([^"]+)"/.exec(page.html)![1]!;
    const asked = await browser.post('/account/passkeys/remove', { passkey: passkeyId }, page);
    expect(asked.html).to.contain('Remove the passkey');
    expect(asked.html, 'no password to ask for').to.not.contain('name="reauth"');
    await ageSessions(stack.db, id, 3600);
    const stale = await browser.post(
      '/account/passkeys/remove',
      { passkey: passkeyId, confirmed: 'yes' },
      asked,
    );
    expect(stale.status).to.equal(403);
    expect(stale.html).to.contain('Removing a passkey needs a sign-in within the last 5 minutes');
    expect(await credentials(id)).to.have.length(1);
    await ageSessions(stack.db, id, 0);
    const done = await browser.post(
      '/account/passkeys/remove',
      { passkey: passkeyId, confirmed: 'yes' },
      asked,
    );
    expect(done.html).to.contain('The passkey was removed');
  });

  it('deleting the account deletes its passkeys, its user handle and its challenges', async () => {
    const { browser, id, page } = await personWithPasskey(stack);
    await registrationOptions(browser, page);
    const count = async (table: string) =>
      (await stack.db.query(`select count(*)::int as n from ${table} where account_id = $1`, [id])).rows[0].n;
    for (const table of ['passkey_credential', 'passkey_user_handle', 'passkey_challenge']) {
      expect(await count(table), table).to.equal(1);
    }
    const deleted = await stack.server.admin('DELETE', `/admin/users/${id}`);
    expect(deleted.status).to.equal(204);
    for (const table of ['passkey_credential', 'passkey_user_handle', 'passkey_challenge']) {
      expect(await count(table), table).to.equal(0);
    }
  });
});
