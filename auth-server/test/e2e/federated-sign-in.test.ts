import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { expectLogLines } from '../../../shared/test/support/expected-log-lines.ts';
import { createAxeWalk } from '../support/axe-walk.ts';
import { signInOnPage, signUpOnPage, useChromiumPage, waitForHeading } from '../support/chromium.ts';
import { useFederationStack } from '../support/federation.ts';

const APP = 'https://notes.example';
const PASSWORD = 'a long enough passphrase';

/**
 * Sign-in providers in real Chromium, with a stand-in for Google: signing up through one from an
 * app's sign-up page, linking and unlinking one on the account page; the pages that show them pass
 * the same accessibility checks as every other page (see page-accessibility.test.ts).
 */
describe('e2e in Chromium: sign up with Google (stand-in), consent, tokens for the vector API', function () {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit federated_identity.unlinked' }]);
  this.timeout(120_000);
  const stack = useFederationStack({ vectorApi: true });
  const chromium = useChromiumPage(APP, '<h1>Back at the app</h1>');
  const { check, problems } = createAxeWalk();
  const rpCallback = `${APP}/callback`;

  /** At the stand-in: its development login form (any login name signs in), then its consent. */
  async function atStandIn(page: Page, login: string) {
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
  }

  it('continues with Google from the sign-up page, lands in a new account, and the app gets tokens that work', async () => {
    const { client_id, client_secret } = await stack.server.createClient({
      client_name: 'Notes',
      redirect_uris: [rpCallback],
      grant_types: ['authorization_code'],
      scope: 'openid vectors:read vectors:write',
    });
    const config = await oidc.discovery(
      new URL(stack.server.issuer),
      client_id,
      { client_secret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const login = `chromium-${randomUUID()}`;
    const email = `chromium-${randomUUID()}@example.com`;
    stack.oidc.users.set(login, { email, email_verified: true });

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: rpCallback,
      scope: 'openid vectors:read vectors:write',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const { page } = chromium;
    await page.goto(authorizationUrl.href);
    await waitForHeading(page, 'Sign in');
    const uid = new URL(page.url()).pathname.split('/')[2];
    const continueWithGoogle = page.getByRole('link', { name: 'Continue with Google' });
    expect(await continueWithGoogle.getAttribute('href')).to.equal(`/interaction/${uid}/federated/google`);
    await check(page, 'sign-in-providers');
    // "Continue with" on the app's sign-up page stays in the app's authorization request too.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await waitForHeading(page, 'Create your account');
    expect(await continueWithGoogle.getAttribute('href')).to.equal(`/interaction/${uid}/federated/google`);
    await check(page, 'sign-up-providers');
    await continueWithGoogle.click();
    await atStandIn(page, login);
    await waitForHeading(page, 'Allow access?');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(rpCallback));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.sub).to.be.a('string');

    const created = await fetch(`${stack.api.url}/v1/collections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'notes', dimension: 2, metric: 'cosine' }),
    });
    expect(created.status).to.equal(201);

    // The account page lists Google, the only way in: it cannot be unlinked.
    await page.goto(`${stack.server.issuer}/account`);
    await page.getByRole('heading', { name: 'Sign-in providers' }).waitFor();
    await page.getByRole('button', { name: 'Unlink Google' }).click();
    await waitForHeading(page, 'This is your only way to sign in');
    await check(page, 'federated-problem');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('a password account links Google on the account page, then unlinks it after confirming', async () => {
    const email = `linker-${randomUUID()}@example.com`;
    const login = `linker-${randomUUID()}`;
    // Linking from the account page needs no e-mail proof from the provider: the person is signed in.
    stack.oidc.users.set(login, { email: `elsewhere-${randomUUID()}@example.com`, email_verified: false });
    const page = await chromium.newPage(375);
    await signUpOnPage(page, stack.server.issuer, stack.sink, email, PASSWORD);
    // A sign-in just now: linking and unlinking need one within the last 5 minutes.
    await page.goto(`${stack.server.issuer}/account`);
    await signInOnPage(page, email, PASSWORD);
    await waitForHeading(page, 'Your account');
    await page.getByRole('button', { name: 'Link Google' }).click();
    await atStandIn(page, login);
    await page.getByText('The sign-in provider was linked to your account.').waitFor();
    const providers = page.getByRole('region', { name: 'Sign-in providers' });
    expect(await providers.innerText()).to.contain('Google');
    await check(page, 'account-providers');

    await page.getByRole('button', { name: 'Unlink Google' }).click();
    await waitForHeading(page, 'Unlink Google?');
    expect(await page.locator('main').innerText()).to.contain(
      'You will no longer be able to sign in with Google.',
    );
    await page.getByRole('button', { name: 'Unlink Google' }).click();
    await page.getByText('The sign-in provider was unlinked from your account.').waitFor();
    expect(await providers.innerText()).to.contain('No sign-in provider is linked to your account.');
    expect(problems, problems.join('\n')).to.deep.equal([]);
    await page.context().close();
  });
});
