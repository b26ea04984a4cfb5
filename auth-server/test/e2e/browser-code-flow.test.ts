import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { type SpawnedStack, startSpawnedStack } from '../support/spawned-stack.ts';

describe('e2e in Chromium: sign up, verify, consent, tokens, vectors, refresh, revoke', function () {
  this.timeout(180_000);
  let sink: SmtpSink;
  let stack: SpawnedStack;
  let browser: Browser;
  let page: Page;
  const rpCallback = 'https://notes.example/callback';

  before(async () => {
    sink = await startSmtpSink();
    stack = await startSpawnedStack({ SMTP_URL: sink.url, BCRYPT_COST: '10' });
    browser = await launchChromium();
    page = await browser.newPage();
    // The relying party lives at an https URL; the browser's arrival there is caught here.
    await page.route('https://notes.example/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Back at the app</h1>' }),
    );
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    await sink?.close();
  });

  it('walks a new user through the whole end-user journey', async () => {
    const adminToken = readFileSync(resolve(stack.dataDir, 'secrets/admin-token'), 'utf8').trim();
    const registered = await fetch(`${stack.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Notes <Third Party>',
        redirect_uris: [rpCallback],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid offline_access vectors:read vectors:write',
      }),
    });
    const { client_id, client_secret } = (await registered.json()) as {
      client_id: string;
      client_secret: string;
    };
    const config = await oidc.discovery(
      new URL(stack.issuer),
      client_id,
      { client_secret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );

    // Sign up and verify the e-mail address from a real SMTP sink.
    const email = `person-${randomUUID()}@example.com`;
    const password = 'a long enough passphrase';
    await page.goto(`${stack.issuer}/signup`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    const mail = await sink.waitFor(email, /Confirm your e-mail/);
    await page.goto(sink.linkIn(mail, `${stack.issuer}/verify-email`));
    await page.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();

    // The app sends the person to sign in and consent.
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: rpCallback,
      scope: 'openid offline_access vectors:read vectors:write',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'consent',
    });
    await page.goto(authorizationUrl.href);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    expect(await page.locator('main').innerText()).to.contain('Notes <Third Party>');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/^https:\/\/notes\.example\/callback/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.refresh_token).to.be.a('string');
    expect(tokens.claims()?.sub).to.be.a('string');

    // The access token works at the vector API.
    const created = await fetch(`${stack.vectorUrl}/v1/collections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'notes', dimension: 2, metric: 'cosine' }),
    });
    expect(created.status).to.equal(201);

    // Refresh works, and rotates.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token);
    const listed = await fetch(`${stack.vectorUrl}/v1/collections`, {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect(
      ((await listed.json()) as { collections: { name: string }[] }).collections.map((c) => c.name),
    ).to.include('notes');

    // The person revokes the app on the account page; the app's refresh then fails.
    await page.goto(`${stack.issuer}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('button', { name: 'Revoke access for Notes <Third Party>' }).click();
    await page.getByText('The app no longer has access to your account.').waitFor();
    let refreshError: unknown;
    try {
      await oidc.refreshTokenGrant(config, refreshed.refresh_token!);
    } catch (err) {
      refreshError = err;
    }
    expect(refreshError).to.be.instanceOf(oidc.ResponseBodyError);
    expect((refreshError as oidc.ResponseBodyError).error).to.equal('invalid_grant');
  });
});
