import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { useChromiumPage } from '../support/chromium.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

describe('e2e in Chromium: sign up, verify, consent, tokens, vectors, refresh, revoke', function () {
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '10' } });
  // The relying party lives at an https URL; the browser's arrival there is caught here.
  const chromium = useChromiumPage('https://notes.example', '<h1>Back at the app</h1>');
  const rpCallback = 'https://notes.example/callback';

  it('walks a new user through the whole end-user journey', async () => {
    const adminToken = spawned.stack.adminToken;
    const registered = await fetch(`${spawned.stack.adminUrl}/admin/clients`, {
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
      new URL(spawned.stack.issuer),
      client_id,
      { client_secret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );

    // Sign up and verify the e-mail address from a real SMTP sink.
    const email = `person-${randomUUID()}@example.com`;
    const password = 'a long enough passphrase';
    await chromium.page.goto(`${spawned.stack.issuer}/signup`);
    await chromium.page.getByLabel('E-mail').fill(email);
    await chromium.page.getByLabel('Password').fill(password);
    await chromium.page.getByRole('button', { name: 'Create account' }).click();
    await chromium.page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    const mail = await spawned.sink.waitFor(email, /Confirm your e-mail/);
    await chromium.page.goto(spawned.sink.linkIn(mail, `${spawned.stack.issuer}/verify-email`));
    await chromium.page.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await chromium.page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();

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
    await chromium.page.goto(authorizationUrl.href);
    await chromium.page.getByLabel('E-mail').fill(email);
    await chromium.page.getByLabel('Password').fill(password);
    await chromium.page.getByRole('button', { name: 'Sign in' }).click();
    await chromium.page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    expect(await chromium.page.locator('main').innerText()).to.contain('Notes <Third Party>');
    await chromium.page.getByRole('button', { name: 'Allow' }).click();
    await chromium.page.waitForURL(/^https:\/\/notes\.example\/callback/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(chromium.page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.refresh_token).to.be.a('string');
    expect(tokens.claims()?.sub).to.be.a('string');

    // The access token works at the vector API.
    const created = await fetch(`${spawned.stack.vectorUrl}/v1/collections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'notes', dimension: 2, metric: 'cosine' }),
    });
    expect(created.status).to.equal(201);

    // Refresh works, and rotates.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token);
    const listed = await fetch(`${spawned.stack.vectorUrl}/v1/collections`, {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect(
      ((await listed.json()) as { collections: { name: string }[] }).collections.map((c) => c.name),
    ).to.include('notes');

    // The person revokes the app on the account page; the app's refresh then fails.
    await chromium.page.goto(`${spawned.stack.issuer}/account`);
    await chromium.page.getByRole('heading', { name: 'Your account' }).waitFor();
    await chromium.page.getByRole('button', { name: 'Revoke access for Notes <Third Party>' }).click();
    // A confirmation page says what will happen before anything does.
    await chromium.page.getByRole('heading', { name: 'Revoke access for Notes <Third Party>?' }).waitFor();
    await chromium.page.getByRole('button', { name: 'Revoke access' }).click();
    await chromium.page.getByText('The app no longer has access to your account.').waitFor();
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
