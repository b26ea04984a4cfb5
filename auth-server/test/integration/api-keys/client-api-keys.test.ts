import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const KEY = /vak_[0-9A-Za-z]{42}/;

/**
 * API keys of a machine-to-machine app, made by its developer in the console: they act as the app
 * (its client-credentials principal), within its registered scopes, and die with it.
 */
describe('API keys of an app in the developer console', function () {
  // Refused on purpose and audited with a warn line: a key made for another person's app id.
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit api_key.revoked' }]);
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, vectorApi: true });

  const clientIdOn = (page: Page) => /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(page.html)?.[1] as string;
  const secretOn = (page: Page) => /id="client-secret">([^<]+)</.exec(page.html)?.[1] as string;
  const collections = (credential: string, method = 'GET', body?: unknown) =>
    fetch(`${stack.api.url}/v1/collections`, {
      method,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  async function developerWithApp(kind = 'm2m') {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const created = await browser.post(
      '/developers/apps',
      {
        name: 'indexer',
        kind,
        redirect_uris: kind === 'm2m' ? '' : 'https://app.example/callback',
        'scope:vectors:read': 'on',
        'scope:vectors:write': 'on',
      },
      await browser.get('/developers'),
    );
    expect(created.status, created.html).to.equal(200);
    return { browser, clientId: clientIdOn(created), secret: secretOn(created) };
  }

  const createKey = async (browser: BrowserSession, clientId: string, fields: Record<string, string>) => {
    const app = await browser.get(`/developers/apps/${clientId}`);
    const page = await browser.post(`/developers/apps/${clientId}/api-keys`, fields, app);
    return { page, key: KEY.exec(page.html)?.[0] };
  };

  it('acts as the app: what the key writes, the app’s client-credentials token reads', async () => {
    const { browser, clientId, secret } = await developerWithApp();
    const { page, key } = await createKey(browser, clientId, {
      name: 'ci',
      'scope:vectors:read': 'on',
      'scope:vectors:write': 'on',
      expires: '7',
    });
    expect(page.status, page.html).to.equal(200);
    expect(key).to.match(KEY);
    const name = `by-key-${Date.now()}`;
    expect((await collections(key as string, 'POST', { name, dimension: 2, metric: 'l2' })).status).to.equal(
      201,
    );
    const token = (await (
      await stack.server.clientCredentialsToken(
        { client_id: clientId, client_secret: secret },
        { scope: 'vectors:read' },
      )
    ).json()) as { access_token: string };
    const listed = (await (await collections(token.access_token)).json()) as {
      collections: { name: string }[];
    };
    expect(listed.collections.map((c) => c.name)).to.include(name);
    const shown = await browser.get(`/developers/apps/${clientId}`);
    expect(shown.html)
      .to.contain('API keys')
      .and.contain(`${(key as string).slice(0, 12)}…`);
    expect(shown.html).to.not.contain(key);
  });

  it('refuses a key wider than the app’s registered scopes, and keys for an app that is not a principal', async () => {
    const { browser, clientId } = await developerWithApp();
    const wider = await createKey(browser, clientId, {
      name: 'x',
      'scope:vectors:delete': 'on',
      expires: '30',
    });
    expect(wider.page.status).to.equal(400);
    expect(wider.key).to.equal(undefined);
    const admin = await createKey(browser, clientId, { name: 'x', 'scope:admin': 'on', expires: '30' });
    expect(admin.page.status).to.equal(400);
    const web = await developerWithApp('web');
    const page = await web.browser.get(`/developers/apps/${web.clientId}`);
    expect(page.html, 'a web app acts for people, not itself').to.not.contain('Create key');
    const refused = await web.browser.post(
      `/developers/apps/${web.clientId}/api-keys`,
      { name: 'x', 'scope:vectors:read': 'on', expires: '30' },
      page,
    );
    expect(refused.status).to.equal(400);
    expect(KEY.test(refused.html)).to.equal(false);
  });

  it('another developer can neither make nor revoke keys of my app', async () => {
    const mine = await developerWithApp();
    const { key } = await createKey(mine.browser, mine.clientId, {
      name: 'k',
      'scope:vectors:read': 'on',
      expires: '30',
    });
    const [id] = [
      ...(await mine.browser.get(`/developers/apps/${mine.clientId}`)).html.matchAll(
        /name="key" value="([^"]+)"/g,
      ),
    ].map((m) => m[1] as string);
    const other = await developerWithApp();
    const from = await other.browser.get('/developers');
    const made = await other.browser.post(
      `/developers/apps/${mine.clientId}/api-keys`,
      { name: 'x', 'scope:vectors:read': 'on', expires: '30' },
      from,
    );
    expect(made.status).to.equal(404);
    const revoked = await other.browser.post(
      `/developers/apps/${mine.clientId}/api-keys/revoke`,
      { key: id as string, confirmed: 'yes' },
      from,
    );
    expect(revoked.status).to.equal(404);
    // Nor through an app of their own, naming my key's id.
    const sideways = await other.browser.post(
      `/developers/apps/${other.clientId}/api-keys/revoke`,
      { key: id as string, confirmed: 'yes' },
      from,
    );
    expect(sideways.html).to.contain('already revoked or has expired');
    expect((await collections(key as string)).status).to.equal(200);
  });

  it('a revoked key and the keys of a deleted app are refused on their next request', async () => {
    const { browser, clientId } = await developerWithApp();
    const fields = { name: 'a', 'scope:vectors:read': 'on', expires: '30' };
    const first = (await createKey(browser, clientId, fields)).key as string;
    const second = (await createKey(browser, clientId, { ...fields, name: 'b' })).key as string;
    expect((await collections(first)).status).to.equal(200);
    expect((await collections(second)).status).to.equal(200);
    const app = await browser.get(`/developers/apps/${clientId}`);
    const idOfA = /<td data-label="Name">a<\/td>[\s\S]*?name="key" value="([^"]+)"/.exec(
      app.html,
    )?.[1] as string;
    const confirm = await browser.post(`/developers/apps/${clientId}/api-keys/revoke`, { key: idOfA }, app);
    expect(confirm.html).to.contain('Revoke the API key &quot;a&quot;?');
    const done = await browser.post(
      `/developers/apps/${clientId}/api-keys/revoke`,
      { key: idOfA, confirmed: 'yes' },
      confirm,
    );
    expect(done.html).to.contain('The API key was revoked');
    expect((await collections(first)).status).to.equal(401);
    expect((await collections(second)).status).to.equal(200);
    const sure = await browser.post(`/developers/apps/${clientId}/delete`, {}, done);
    await browser.post(`/developers/apps/${clientId}/delete`, { confirmed: 'yes' }, sure);
    expect((await collections(second)).status).to.equal(401);
  });
});
