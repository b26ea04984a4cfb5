import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { expectLogLines } from '../../../shared/test/support/expected-log-lines.ts';
import { launchChromium } from '../support/chromium.ts';
import { useFederationStack } from '../support/federation.ts';

describe('e2e in Chromium: sign up with Google (stand-in), consent, tokens for the vector API', function () {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit federated_identity.unlinked' }]);
  this.timeout(120_000);
  const stack = useFederationStack({ vectorApi: true });
  let browser: Browser;
  let page: Page;
  const rpCallback = 'https://notes.example/callback';

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.route('https://notes.example/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Back at the app</h1>' }),
    );
  });
  after(async () => {
    await browser?.close();
  });

  it('continues with Google, lands in a new account, and the app gets tokens that work', async () => {
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
    await page.goto(authorizationUrl.href);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    // The stand-in's development login form takes any login name.
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click(); // the stand-in's consent
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/^https:\/\/notes\.example\/callback/);
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
    await page.getByRole('heading', { name: 'This is your only way to sign in' }).waitFor();
  });
});
