import { expect } from 'chai';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('developer console', () => {
  const stack = useAuthStack({ smtp: true, resourceServers: 1 });

  const secretOn = (page: Page) => /id="client-secret">([^<]+)</.exec(page.html)?.[1];
  const clientIdOn = (page: Page) => /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(page.html)?.[1];

  async function developer(): Promise<BrowserSession> {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    return browser;
  }

  it('asks a signed-out visitor to sign in, then shows the console', async () => {
    const anonymous = new BrowserSession(stack.server.issuer);
    const page = await anonymous.get('/developers');
    expect(page.html).to.contain('action="/interaction/');
  });

  it('registers a machine-to-machine app, shows the secret once, and the app works', async () => {
    const browser = await developer();
    const console = await browser.get('/developers');
    expect(console.html).to.contain('Register an app');
    const created = await browser.post(
      '/developers/apps',
      { name: 'Nightly <indexer>', kind: 'm2m', redirect_uris: '', 'scope:vectors:read': 'on' },
      console,
    );
    expect(created.status).to.equal(200);
    expect(created.html).to.contain('Nightly &lt;indexer&gt;');
    const clientId = clientIdOn(created)!;
    const secret = secretOn(created)!;
    expect(secret).to.be.a('string');
    const again = await browser.get(`/developers/apps/${clientId}`);
    expect(again.html).to.contain(clientId);
    expect(secretOn(again), 'the secret is never shown again').to.equal(undefined);
    expect(again.html).not.to.contain(secret);

    const token = await stack.server.clientCredentialsToken(
      { client_id: clientId, client_secret: secret },
      { scope: 'vectors:read' },
    );
    expect(token.status).to.equal(200);
    const list = await browser.get('/developers');
    expect(list.html).to.contain(clientId);
  });

  it('rotates the secret, optionally revoking every token, and deletes the app', async () => {
    const browser = await developer();
    const created = await browser.post(
      '/developers/apps',
      { name: 'rotator', kind: 'm2m', 'scope:vectors:read': 'on' },
      await browser.get('/developers'),
    );
    const clientId = clientIdOn(created)!;
    const oldSecret = secretOn(created)!;
    const tokenWith = async (secret: string) =>
      (
        (await (
          await stack.server.clientCredentialsToken(
            { client_id: clientId, client_secret: secret },
            { scope: 'vectors:read' },
          )
        ).json()) as { access_token?: string }
      ).access_token;
    const before = (await tokenWith(oldSecret))!;

    const rotated = await browser.post(`/developers/apps/${clientId}/secret`, {}, created);
    const second = secretOn(rotated)!;
    expect(second).to.be.a('string').and.not.equal(oldSecret);
    expect(await tokenWith(oldSecret), 'the old secret stops working').to.equal(undefined);
    expect((await stack.rs[0]!.call(before)).status, 'without revoke, issued tokens live on').to.equal(200);

    const third = await browser.post(`/developers/apps/${clientId}/secret`, { revoke_tokens: 'on' }, rotated);
    expect(secretOn(third)).to.be.a('string');
    expect((await stack.rs[0]!.call(before)).status, 'with revoke, they die').to.equal(401);

    const fresh = (await tokenWith(secretOn(third)!))!;
    expect((await stack.rs[0]!.call(fresh)).status).to.equal(200);
    const gone = await browser.post(`/developers/apps/${clientId}/delete`, { confirmed: 'yes' }, third);
    expect(gone.html).to.contain('The app was deleted');
    expect((await stack.rs[0]!.call(fresh)).status).to.equal(401);
  });

  it('never shows, rotates or deletes another developer’s app', async () => {
    const owner = await developer();
    const created = await owner.post(
      '/developers/apps',
      { name: 'mine', kind: 'm2m', 'scope:vectors:read': 'on' },
      await owner.get('/developers'),
    );
    const clientId = clientIdOn(created)!;
    const intruder = await developer();
    const console = await intruder.get('/developers');
    expect(console.html).not.to.contain(clientId);
    expect((await intruder.get(`/developers/apps/${clientId}`)).status).to.equal(404);
    expect(
      (await intruder.post(`/developers/apps/${clientId}/secret`, { revoke_tokens: 'on' }, console)).status,
    ).to.equal(404);
    expect((await intruder.post(`/developers/apps/${clientId}/delete`, {}, console)).status).to.equal(404);
    expect((await owner.get(`/developers/apps/${clientId}`)).status).to.equal(200);
  });

  it('refuses bad redirect URIs next to the field, and a web app without https', async () => {
    const browser = await developer();
    const console = await browser.get('/developers');
    const bad = await browser.post(
      '/developers/apps',
      {
        name: 'web',
        kind: 'web',
        redirect_uris: 'http://app.example/cb\njavascript:alert(1)',
        'scope:openid': 'on',
      },
      console,
    );
    expect(bad.status).to.equal(400);
    expect(bad.html).to.contain('id="redirect_uris-error"');
    expect(bad.html).to.contain('must use https');
    const good = await browser.post(
      '/developers/apps',
      {
        name: 'web',
        kind: 'web',
        redirect_uris: 'https://app.example/cb',
        'scope:openid': 'on',
        'scope:vectors:read': 'on',
      },
      console,
    );
    expect(good.status).to.equal(200);
    expect(secretOn(good)).to.be.a('string');
  });

  it('lets an admin mark a console app first-party (the console itself cannot)', async () => {
    const browser = await developer();
    const asked = await browser.post(
      '/developers/apps',
      { name: 'ours', kind: 'web', redirect_uris: 'https://ours.example/cb', first_party: 'true' },
      await browser.get('/developers'),
    );
    expect(asked.status, 'the console refuses first_party').to.equal(400);
    const created = await browser.post(
      '/developers/apps',
      { name: 'ours', kind: 'web', redirect_uris: 'https://ours.example/cb' },
      await browser.get('/developers'),
    );
    const clientId = clientIdOn(created)!;
    expect(
      (
        (await (await stack.server.admin('GET', `/admin/clients/${clientId}`)).json()) as {
          first_party: boolean;
        }
      ).first_party,
    ).to.equal(false);
    const marked = await stack.server.admin('PATCH', `/admin/clients/${clientId}`, { first_party: true });
    expect(marked.status).to.equal(200);
    expect(((await marked.json()) as { first_party: boolean }).first_party).to.equal(true);
    expect(
      (await stack.server.admin('PATCH', `/admin/clients/${clientId}`, { first_party: 'yes' })).status,
    ).to.equal(400);
  });
});

describe('developer console: initial access tokens', () => {
  const stack = useAuthStack({ smtp: true });

  it('gives a signed-in developer an initial access token that registers clients under the policy', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const console = await browser.get('/developers');
    const made = await browser.post('/developers/initial-access-tokens', {}, console);
    const token = /Authorization: Bearer ([A-Za-z0-9_-]+)/.exec(made.html.replace(/&quot;/g, '"'))?.[1];
    expect(token).to.be.a('string');
    const register = (body: unknown) =>
      fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await register({ client_name: 'by api', grant_types: ['client_credentials'] })).status).to.equal(
      201,
    );
    expect(
      (await register({ client_name: 'trusted?', first_party: true, grant_types: ['client_credentials'] }))
        .status,
    ).to.equal(400);
    const anonymous = new BrowserSession(stack.server.issuer);
    const refused = await anonymous.post(
      '/developers/initial-access-tokens',
      {},
      await anonymous.get('/signup'),
    );
    expect(refused.html, 'signed-out visitors are sent to sign in').to.contain('action="/interaction/');
  });
});
