import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { useChromiumPage } from '../support/chromium.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

describe('e2e in Chromium: app registration (console, RFC 7591, RFC 7592) end to end', function () {
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '4' } });
  // The registered app lives at an https URL; the browser's arrival there is caught here.
  const chromium = useChromiumPage('https://notes.example', '<h1>Notes</h1>');
  const redirectUri = 'https://notes.example/callback';

  const vector = (token: string, method = 'GET', path = '/v1/collections', body?: unknown) =>
    fetch(`${spawned.stack.vectorUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('a developer registers a web app in the console and uses it in an authorization-code flow', async () => {
    const email = `dev-${randomUUID()}@example.com`;
    const password = 'developer passphrase';
    await chromium.page.goto(`${spawned.stack.issuer}/signup`);
    await chromium.page.getByLabel('E-mail').fill(email);
    await chromium.page.getByLabel('Password').fill(password);
    await chromium.page.getByRole('button', { name: 'Create account' }).click();
    const mail = await spawned.sink.waitFor(email, /Confirm your e-mail/);
    await chromium.page.goto(spawned.sink.linkIn(mail, `${spawned.stack.issuer}/verify-email`));
    await chromium.page.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await chromium.page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();

    await chromium.page.goto(`${spawned.stack.issuer}/developers`);
    await chromium.page.getByLabel('E-mail').fill(email);
    await chromium.page.getByLabel('Password').fill(password);
    await chromium.page.getByRole('button', { name: 'Sign in' }).click();
    await chromium.page.getByRole('heading', { name: 'Developer console' }).waitFor();
    await chromium.page.getByLabel('App name').fill('Notes');
    await chromium.page.getByLabel('Web app (server-side, keeps a secret)').check();
    await chromium.page.getByLabel('Redirect URIs (one per line)').fill(redirectUri);
    for (const scope of ['openid', 'offline_access', 'vectors:read', 'vectors:write'])
      await chromium.page.getByLabel(new RegExp(`^${scope} `)).check();
    await chromium.page.getByRole('button', { name: 'Register app' }).click();
    await chromium.page.getByText('Copy the secret now').waitFor();
    const clientId = (await chromium.page.locator('dd code').first().innerText()).trim();
    const clientSecret = (await chromium.page.locator('#client-secret').innerText()).trim();

    const config = await oidc.discovery(
      new URL(spawned.stack.issuer),
      clientId,
      { client_secret: clientSecret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    await chromium.page.goto(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid offline_access vectors:read vectors:write',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        prompt: 'consent',
      }).href,
    );
    await chromium.page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await chromium.page.getByRole('button', { name: 'Allow' }).click();
    await chromium.page.waitForURL(/^https:\/\/notes\.example\/callback/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(chromium.page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(
      (
        await vector(tokens.access_token, 'POST', '/v1/collections', {
          name: 'n',
          dimension: 2,
          metric: 'l2',
        })
      ).status,
    ).to.equal(201);
  });

  it('a machine client registered over RFC 7591 runs client credentials against the vector API; RFC 7592 manages it; deletion kills its tokens', async () => {
    const adminToken = spawned.stack.adminToken;
    const iatRes = await fetch(`${spawned.stack.adminUrl}/admin/initial-access-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { initial_access_token } = (await iatRes.json()) as { initial_access_token: string };
    const registered = await fetch(`${spawned.stack.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${initial_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'crawler',
        grant_types: ['client_credentials'],
        scope: 'vectors:read vectors:write',
      }),
    });
    expect(registered.status).to.equal(201);
    const client = (await registered.json()) as {
      client_id: string;
      client_secret: string;
      registration_access_token: string;
      registration_client_uri: string;
    };
    const config = await oidc.discovery(
      new URL(spawned.stack.issuer),
      client.client_id,
      client.client_secret,
      undefined,
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const { access_token } = await oidc.clientCredentialsGrant(config, {
      scope: 'vectors:read vectors:write',
    });
    expect(
      (
        await vector(access_token, 'POST', '/v1/collections', {
          name: 'crawl',
          dimension: 3,
          metric: 'cosine',
        })
      ).status,
    ).to.equal(201);
    expect((await vector(access_token)).status).to.equal(200);

    const rat = (t: string) => ({ authorization: `Bearer ${t}` });
    const read = await fetch(client.registration_client_uri, {
      headers: rat(client.registration_access_token),
    });
    expect(await read.json()).to.include({ client_name: 'crawler' });
    const update = await fetch(client.registration_client_uri, {
      method: 'PUT',
      headers: { ...rat(client.registration_access_token), 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: client.client_id,
        client_secret: client.client_secret,
        client_name: 'crawler 2',
        grant_types: ['client_credentials'],
        scope: 'vectors:read vectors:write',
      }),
    });
    expect(update.status).to.equal(200);
    const { registration_access_token: rotated, client_name } = (await update.json()) as {
      registration_access_token: string;
      client_name: string;
    };
    expect(client_name).to.equal('crawler 2');
    const removed = await fetch(client.registration_client_uri, { method: 'DELETE', headers: rat(rotated) });
    expect(removed.status).to.equal(204);
    const refused = await vector(access_token);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.contain('invalid_token');
  });
});
