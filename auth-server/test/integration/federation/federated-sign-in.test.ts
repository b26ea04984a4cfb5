import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { accountRow, newEmail, PASSWORD, signInToAccount, submit } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import {
  authorizationRequest,
  consent,
  newPkce,
  redeem,
  signIn,
  signUpVerified,
} from '../../support/code-flow.ts';
import {
  atGitHub,
  atOidcProvider,
  back,
  continueWith,
  upstreamUrl,
  useFederationStack,
} from '../../support/federation.ts';
import { ageSessions } from '../../support/session-age.ts';

describe('sign-in with upstream providers (Google, Microsoft, LinkedIn, GitHub stand-ins)', () => {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit federated_identity.unlinked' },
  ]);
  const stack = useFederationStack({ appClient: true, db: true });

  /** Starts an authorization request of the app; returns the sign-in page and the PKCE verifier. */
  async function startAuthorization(browser: BrowserSession): Promise<{ page: Page; verifier: string }> {
    const pkce = newPkce();
    const page = await browser.get(authorizationRequest(stack.client, {}, pkce));
    expect(page.html).to.contain('Continue with Google');
    return { page, verifier: pkce.verifier };
  }

  /** Consents if asked, redeems the code: the app gets tokens for the account. */
  async function appGetsTokens(browser: BrowserSession, page: Page, verifier: string): Promise<string> {
    let current = page;
    if (!current.leftTo && current.html.includes('/consent"'))
      current = await consent(browser, current, 'allow');
    expect(current.leftTo?.href, current.html).to.be.a('string');
    const code = current.leftTo!.searchParams.get('code');
    expect(code, current.leftTo!.href).to.be.a('string');
    const res = await redeem(stack.server, stack.client, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: stack.client.redirectUri,
      code_verifier: verifier,
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    const tokens = (await res.json()) as { access_token: string; id_token: string };
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as {
      sub: string;
    };
    return claims.sub;
  }

  async function signInWithOidc(provider: string, login: string) {
    const browser = new BrowserSession(stack.server.issuer);
    const { page, verifier } = await startAuthorization(browser);
    const landed = await back(
      browser,
      await atOidcProvider(await continueWith(browser, page, provider), login),
    );
    return { browser, landed, verifier };
  }

  const links = async (accountId: string) =>
    (
      await stack.db.query(
        'select provider, provider_subject, email, email_verified from federated_identity where account_id = $1 order by provider',
        [accountId],
      )
    ).rows as { provider: string; provider_subject: string; email: string; email_verified: boolean }[];

  it('signs up with Google, signs in again (even after the e-mail changed there), and the app gets tokens', async () => {
    const login = `g-${randomUUID()}`;
    const email = newEmail('google');
    stack.oidc.users.set(login, { email, email_verified: true });
    const first = await signInWithOidc('google', login);
    const sub = await appGetsTokens(first.browser, first.landed, first.verifier);
    const account = await accountRow(stack.db, email);
    expect(account?.id).to.equal(sub);
    expect(account?.email_verified).to.equal(true);
    expect(account?.password_hash).not.to.match(/^\$2/);
    expect(await links(sub)).to.deep.equal([
      { provider: 'google', provider_subject: login, email, email_verified: true },
    ]);

    // The e-mail at the provider changes: the link follows the subject, never the address.
    const changed = newEmail('changed');
    stack.oidc.users.set(login, { email: changed, email_verified: true });
    const again = await signInWithOidc('google', login);
    expect(await appGetsTokens(again.browser, again.landed, again.verifier)).to.equal(sub);
    expect(await accountRow(stack.db, changed)).to.equal(undefined);
  });

  it('links to an existing account when both sides have the e-mail verified', async () => {
    const email = newEmail('existing');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
    const existing = await accountRow(stack.db, email);
    const login = `l-${randomUUID()}`;
    stack.oidc.users.set(login, { email: email.toUpperCase(), email_verified: true });
    const { browser, landed, verifier } = await signInWithOidc('linkedin', login);
    expect(await appGetsTokens(browser, landed, verifier)).to.equal(existing!.id);
    expect((await links(existing!.id)).map((l) => l.provider)).to.deep.equal(['linkedin']);
  });

  it('refuses to link when the provider does not assert the e-mail verified, or the account has not confirmed it', async () => {
    const email = newEmail('victim');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
    const victim = await accountRow(stack.db, email);
    const login = `m-${randomUUID()}`;
    stack.oidc.users.set(login, { email, email_verified: false, tid: 'tenant', oid: login });
    const refused = await signInWithOidc('microsoft', login);
    expect(refused.landed.status).to.equal(409);
    expect(refused.landed.html).to.contain('Sign in with your password first');
    expect(await links(victim!.id)).to.deep.equal([]);

    // An account whose owner never confirmed the address is not linked either.
    const unconfirmed = newEmail('unconfirmed');
    const signup = new BrowserSession(stack.server.issuer);
    await signup.post('/signup', { email: unconfirmed, password: PASSWORD }, await signup.get('/signup'));
    const login2 = `g-${randomUUID()}`;
    stack.oidc.users.set(login2, { email: unconfirmed, email_verified: true });
    const refused2 = await signInWithOidc('google', login2);
    expect(refused2.landed.status).to.equal(409);
    expect(await links((await accountRow(stack.db, unconfirmed))!.id)).to.deep.equal([]);
  });

  it('never creates an account from an address the provider has not verified', async () => {
    const email = newEmail('squatter');
    const login = `m-${randomUUID()}`;
    stack.oidc.users.set(login, { email, email_verified: false, tid: 'tenant', oid: login });
    const refused = await signInWithOidc('microsoft', login);
    expect(refused.landed.status).to.equal(409);
    expect(await accountRow(stack.db, email), 'no account was made for that address').to.equal(undefined);
    // The same answer as for an address that has an account: providers are no enumeration oracle.
    const owner = newEmail('owner');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, owner, PASSWORD);
    const login2 = `m-${randomUUID()}`;
    stack.oidc.users.set(login2, { email: owner, email_verified: false, tid: 'tenant', oid: login2 });
    const existing = await signInWithOidc('microsoft', login2);
    expect(existing.landed.status).to.equal(refused.landed.status);
    const main = (html: string) =>
      /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1]?.replace(/\/interaction\/[^/"]+/g, '/interaction/UID');
    expect(main(existing.landed.html)).to.equal(main(refused.landed.html));
  });

  it('offers "Continue with" on the sign-up page, which signs up straight through the provider', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const signup = await browser.get('/signup');
    expect(signup.html).to.contain('href="/federated/start/google"').and.contain('Continue with Google');
    const email = newEmail('from-signup');
    const login = `g-${randomUUID()}`;
    stack.oidc.users.set(login, { email, email_verified: true });
    const atGoogle = upstreamUrl(await browser.get('/federated/start/google'));
    const landed = await back(browser, await atOidcProvider(atGoogle, login));
    expect(landed.html, 'signed in on the account page').to.contain('Connected apps');
    expect(await accountRow(stack.db, email)).to.include({ email_verified: true });
    expect((await browser.get('/federated/start/myspace')).status).to.equal(404);
  });

  it("uses Microsoft's tid and oid as the subject", async () => {
    const login = `ms-${randomUUID()}`;
    const email = newEmail('ms');
    stack.oidc.users.set(login, { email, xms_edov: true, tid: 'tenant-1', oid: 'object-1' });
    const { browser, landed, verifier } = await signInWithOidc('microsoft', login);
    const sub = await appGetsTokens(browser, landed, verifier);
    expect((await links(sub))[0]?.provider_subject).to.equal('tenant-1:object-1');
  });

  it('shows a clear page when the person cancels at the provider, and the app request can still be cancelled', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { page } = await startAuthorization(browser);
    const cancelled = await back(
      browser,
      await atOidcProvider(await continueWith(browser, page, 'google'), 'x', true),
    );
    expect(cancelled.status).to.equal(400);
    expect(cancelled.html).to.contain('Sign-in cancelled');
    const abort = /href="(\/interaction\/[^"]+\/abort)"/.exec(cancelled.html)?.[1];
    const toApp = await browser.get(abort!);
    expect(toApp.leftTo?.searchParams.get('error')).to.equal('access_denied');
  });

  it('refuses a callback with a wrong state, and a replayed one', async () => {
    const login = `s-${randomUUID()}`;
    stack.oidc.users.set(login, { email: newEmail('state'), email_verified: true });
    const browser = new BrowserSession(stack.server.issuer);
    const { page } = await startAuthorization(browser);
    const callback = await atOidcProvider(await continueWith(browser, page, 'google'), login);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    const refused = await back(browser, forged);
    expect(refused.status).to.equal(400);
    expect(refused.html).to.contain('The provider could not sign you in');
    const replayed = await back(browser, callback);
    expect(replayed.html).to.contain('This sign-in has expired');
  });

  it('signs up with GitHub from its verified primary e-mail; the account page links Google and unlinks', async () => {
    const email = newEmail('gh');
    stack.github.next = {
      id: Math.floor(Math.random() * 1e9),
      emails: [
        { email: newEmail('unverified'), primary: false, verified: false },
        { email, primary: true, verified: true },
      ],
    };
    const browser = new BrowserSession(stack.server.issuer);
    const { page, verifier } = await startAuthorization(browser);
    const landed = await back(browser, await atGitHub(await continueWith(browser, page, 'github')));
    const sub = await appGetsTokens(browser, landed, verifier);
    expect((await accountRow(stack.db, email))?.id).to.equal(sub);

    // The account page: GitHub is the only way in, so it cannot be unlinked.
    const accountPage = await browser.get('/account');
    expect(accountPage.html).to.contain('Sign-in providers');
    const refused = await submit(browser, accountPage, /\/account\/federated\/unlink$/, {
      provider: 'github',
    });
    expect(refused.status).to.equal(409);
    expect(refused.html).to.contain('This is your only way to sign in');

    // Link Google from the account page, then GitHub can go.
    const login = `gl-${randomUUID()}`;
    stack.oidc.users.set(login, { email: newEmail('other'), email_verified: false });
    const linkForm = /<form method="post" action="\/account\/federated\/link">.*?value="google"/.exec(
      accountPage.html,
    );
    expect(linkForm).not.to.equal(null);
    const started = await browser.post('/account/federated/link', { provider: 'google' }, accountPage);
    const linked = await back(browser, await atOidcProvider(upstreamUrl(started), login));
    expect(linked.html).to.contain('The sign-in provider was linked');
    expect((await links(sub)).map((l) => l.provider)).to.deep.equal(['github', 'google']);
    // Asked first: what unlinking means, and nothing unlinked yet.
    const asked = await submit(browser, linked, /\/account\/federated\/unlink$/, { provider: 'github' });
    expect(asked.html).to.contain('<h1>Unlink GitHub?</h1>');
    expect(asked.html).to.contain('You will no longer be able to sign in with GitHub.');
    expect((await links(sub)).map((l) => l.provider)).to.deep.equal(['github', 'google']);
    const unlinked = await submit(browser, linked, /\/account\/federated\/unlink$/, {
      provider: 'github',
      confirmed: 'yes',
    });
    expect(unlinked.html).to.contain('The sign-in provider was unlinked');
    expect((await links(sub)).map((l) => l.provider)).to.deep.equal(['google']);

    const { rows } = await stack.db.query(
      `select action, outcome, detail->>'method' as method, detail->>'provider' as provider, detail->>'reason' as reason
         from audit_event where subject_id = $1 and action <> 'consent.granted' order by id`,
      [sub],
    );
    expect(rows).to.deep.equal([
      { action: 'user.sign_up', outcome: 'success', method: 'github', provider: null, reason: null },
      {
        action: 'federated_identity.linked',
        outcome: 'success',
        method: null,
        provider: 'github',
        reason: null,
      },
      { action: 'user.sign_in', outcome: 'success', method: 'github', provider: null, reason: null },
      {
        action: 'federated_identity.unlinked',
        outcome: 'failure',
        method: null,
        provider: 'github',
        reason: 'last_way_in',
      },
      {
        action: 'federated_identity.linked',
        outcome: 'success',
        method: null,
        provider: 'google',
        reason: null,
      },
      {
        action: 'federated_identity.unlinked',
        outcome: 'success',
        method: null,
        provider: 'github',
        reason: null,
      },
    ]);
  });

  it('a password account links GitHub from its account page and unlinks it (the password remains)', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('pw');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const accountPage = await signInToAccount(browser, email);
    stack.github.next = { id: Math.floor(Math.random() * 1e9), emails: [] };
    const started = await browser.post('/account/federated/link', { provider: 'github' }, accountPage);
    const linked = await back(browser, await atGitHub(upstreamUrl(started)));
    expect(linked.html).to.contain('GitHub');
    const id = (await accountRow(stack.db, email))!.id;
    expect((await links(id)).map((l) => l.provider)).to.deep.equal(['github']);
    const unlinked = await submit(browser, linked, /\/account\/federated\/unlink$/, {
      provider: 'github',
      confirmed: 'yes',
    });
    expect(unlinked.html).to.contain('The sign-in provider was unlinked');
    expect(await links(id)).to.deep.equal([]);
  });
  it('linking and unlinking need a recent sign-in: an hour-old session is asked to sign in again first', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('stale');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const accountPage = await signInToAccount(browser, email);
    const id = (await accountRow(stack.db, email))!.id;
    const age = (seconds: number) => ageSessions(stack.db, id, seconds);
    await age(3600);
    const refused = await browser.post('/account/federated/link', { provider: 'github' }, accountPage);
    expect(refused.status).to.equal(403);
    expect(refused.leftTo, 'not sent to GitHub').to.equal(undefined);
    expect(refused.html).to.contain('Linking GitHub needs a sign-in within the last 5 minutes');
    // "Sign in again" asks for the password even though signed in, and comes back to the account page.
    const again = await browser.get('/account/confirm-identity');
    expect(again.html).to.contain('name="password"');
    const fresh = await signIn(browser, again, email, PASSWORD);
    expect(fresh.html).to.contain('Connected apps');
    stack.github.next = { id: Math.floor(Math.random() * 1e9), emails: [] };
    const started = await browser.post('/account/federated/link', { provider: 'github' }, fresh);
    const linked = await back(browser, await atGitHub(upstreamUrl(started)));
    expect((await links(id)).map((l) => l.provider)).to.deep.equal(['github']);
    await age(3600);
    const stale = await submit(browser, linked, /\/account\/federated\/unlink$/, {
      provider: 'github',
      confirmed: 'yes',
    });
    expect(stale.status).to.equal(403);
    expect(stale.html).to.contain('Unlinking GitHub needs a sign-in');
    expect(
      (await links(id)).map((l) => l.provider),
      'still linked',
    ).to.deep.equal(['github']);
  });

  describe('Microsoft Entra ID as it really answers (no email_verified; optional email and xms_edov)', () => {
    /** A Microsoft user; the stand-in never sends `email_verified` to the Microsoft client. */
    const entraUser = (claims: { email?: string; xms_edov?: boolean; upn?: string }) => {
      const login = `entra-${randomUUID()}`;
      stack.oidc.users.set(login, {
        tid: 'tenant-e',
        oid: login,
        preferred_username: claims.upn,
        // Even a user marked verified upstream comes without email_verified to Microsoft's client.
        email_verified: true,
        ...claims,
      });
      return login;
    };
    const mainOf = (html: string) =>
      /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1]?.replace(/\/interaction\/[^/"]+/g, '/interaction/UID');
    const verifiedAccount = async (tag: string) => {
      const email = newEmail(tag);
      await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
      return { email, id: (await accountRow(stack.db, email))!.id };
    };

    it('signs up with email + xms_edov: true, and signs in again by tid:oid', async () => {
      const email = newEmail('edov');
      const login = entraUser({ email, xms_edov: true });
      const first = await signInWithOidc('microsoft', login);
      const sub = await appGetsTokens(first.browser, first.landed, first.verifier);
      expect(await accountRow(stack.db, email)).to.include({ id: sub, email_verified: true });
      expect(await links(sub)).to.deep.equal([
        { provider: 'microsoft', provider_subject: `tenant-e:${login}`, email, email_verified: true },
      ]);
      const again = await signInWithOidc('microsoft', login);
      expect(await appGetsTokens(again.browser, again.landed, again.verifier)).to.equal(sub);
    });

    it('links to a verified account by e-mail with email + xms_edov: true', async () => {
      const { email, id } = await verifiedAccount('edov-link');
      const login = entraUser({ email, xms_edov: true });
      const { browser, landed, verifier } = await signInWithOidc('microsoft', login);
      expect(await appGetsTokens(browser, landed, verifier)).to.equal(id);
      expect((await links(id)).map((l) => l.provider)).to.deep.equal(['microsoft']);
    });

    const unproven: [string, (email: string) => { email?: string; xms_edov?: boolean; upn?: string }][] = [
      ['email without xms_edov', (email) => ({ email })],
      ['email with xms_edov: false', (email) => ({ email, xms_edov: false })],
      ['no email, the address only as preferred_username/upn', (email) => ({ upn: email })],
      ['no email and no xms_edov', () => ({})],
    ];
    for (const [what, claimsFor] of unproven) {
      it(`${what}: neither signs up nor links by e-mail; linking from the account page works`, async () => {
        const fresh = newEmail('unproven');
        const refused = await signInWithOidc('microsoft', entraUser(claimsFor(fresh)));
        expect(refused.landed.status).to.equal(409);
        expect(await accountRow(stack.db, fresh), 'no account for an unproven address').to.equal(undefined);

        const { email, id } = await verifiedAccount('unproven-owner');
        const login = entraUser(claimsFor(email));
        const notLinked = await signInWithOidc('microsoft', login);
        expect(notLinked.landed.status).to.equal(409);
        expect(mainOf(notLinked.landed.html), 'the same answer with or without an account').to.equal(
          mainOf(refused.landed.html),
        );
        expect(await links(id)).to.deep.equal([]);

        // The owner links Microsoft from the account page; then Microsoft signs in to that account.
        const browser = new BrowserSession(stack.server.issuer);
        const accountPage = await signInToAccount(browser, email);
        const started = await browser.post('/account/federated/link', { provider: 'microsoft' }, accountPage);
        const linked = await back(browser, await atOidcProvider(upstreamUrl(started), login));
        expect(linked.html).to.contain('The sign-in provider was linked');
        expect((await links(id)).map((l) => [l.provider, l.provider_subject])).to.deep.equal([
          ['microsoft', `tenant-e:${login}`],
        ]);
        const viaMicrosoft = await signInWithOidc('microsoft', login);
        expect(
          await appGetsTokens(viaMicrosoft.browser, viaMicrosoft.landed, viaMicrosoft.verifier),
        ).to.equal(id);
      });
    }
  });
});
