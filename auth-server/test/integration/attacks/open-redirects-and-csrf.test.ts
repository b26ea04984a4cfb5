import { expect } from 'chai';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('attack suite: open redirects and cross-site forms', () => {
  const stack = useAuthStack({ smtp: true });

  const raw = (path: string) => fetch(`${stack.server.issuer}${path}`, { redirect: 'manual' });

  it('never redirects to an unregistered post-logout URI', async () => {
    const client = await stack.server.createClient({
      client_name: 'app',
      redirect_uris: ['https://app.example/cb'],
      post_logout_redirect_uris: ['https://app.example/bye'],
    });
    for (const target of [
      'https://evil.example/',
      'https://app.example/bye/../evil',
      '//evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await raw(
        `/session/end?client_id=${client.client_id}&post_logout_redirect_uri=${encodeURIComponent(target)}`,
      );
      expect(res.status, target).to.equal(400);
      expect(res.headers.get('location'), target).to.equal(null);
    }
  });

  it('never redirects an authorization request to an unregistered or hostile redirect_uri', async () => {
    const client = await stack.server.createClient({
      client_name: 'app2',
      redirect_uris: ['https://app.example/cb'],
    });
    for (const target of [
      'https://evil.example/cb',
      'https://app.example.evil.example/cb',
      'https://app.example/cb/../../evil',
      'https://app.example@evil.example/cb',
    ]) {
      const res = await raw(
        `/auth?client_id=${client.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(target)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      );
      expect(res.status, target).to.equal(400);
      expect(res.headers.get('location'), target).to.equal(null);
    }
    // Unknown clients are never a redirect either.
    const unknown = await raw(
      `/auth?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(unknown.headers.get('location')).to.equal(null);
  });

  it('refuses every developer-console form posted from another site', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const console = await browser.get('/developers');
    const created = await browser.post(
      '/developers/apps',
      { name: 'victim app', kind: 'm2m', 'scope:vectors:read': 'on' },
      console,
    );
    const clientId = /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(created.html)![1]!;
    const forged = [
      ['/developers/apps', { name: 'planted', kind: 'm2m' }],
      [`/developers/apps/${clientId}/secret`, { revoke_tokens: 'on' }],
      [`/developers/apps/${clientId}/delete`, { confirmed: 'yes' }],
    ] as const;
    for (const [path, fields] of forged) {
      const res = await browser.post(path, { ...fields }, null);
      expect(res.status, path).to.equal(403);
    }
    const after = await browser.get('/developers');
    expect(after.html).to.contain('victim app').and.not.contain('planted');
  });

  it('signs out only through the provider’s confirmation form (its own xsrf token)', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const forged = await browser.post('/session/end/confirm', { logout: 'yes', xsrf: 'forged' }, null);
    expect(forged.status).to.equal(400);
    const still = await browser.get('/account');
    expect(still.html, 'still signed in').to.contain('Connected apps');
  });
});

describe('attack suite: hostile bodies at the auth server', () => {
  const stack = useAuthStack();

  it('answers deeply nested and malformed bodies on every JSON and form endpoint without a 5xx', async () => {
    const deep = `${'['.repeat(50_000)}1${']'.repeat(50_000)}`;
    const deepObject = `{"client_name":"x","redirect_uris":${'['.repeat(5_000)}"https://a.example"${']'.repeat(5_000)}}`;
    const { initial_access_token } = (await (
      await stack.server.admin('POST', '/admin/initial-access-tokens', {})
    ).json()) as { initial_access_token: string };
    const targets: [string, string, Record<string, string>][] = [
      [
        `${stack.server.adminUrl}/admin/clients`,
        deep,
        { authorization: `Bearer ${stack.server.config.admin.token}`, 'content-type': 'application/json' },
      ],
      [
        `${stack.server.adminUrl}/admin/clients`,
        deepObject,
        { authorization: `Bearer ${stack.server.config.admin.token}`, 'content-type': 'application/json' },
      ],
      [
        `${stack.server.issuer}/reg`,
        deep,
        { authorization: `Bearer ${initial_access_token}`, 'content-type': 'application/json' },
      ],
      [
        `${stack.server.issuer}/reg`,
        deepObject,
        { authorization: `Bearer ${initial_access_token}`, 'content-type': 'application/json' },
      ],
      [
        `${stack.server.issuer}/token`,
        `grant_type=${'a'.repeat(100_000)}`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      [
        `${stack.server.issuer}/token`,
        `${'a[b]'.repeat(10_000)}=1`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      [
        `${stack.server.issuer}/signup`,
        `email=${'%00'.repeat(1000)}&password=x`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
    ];
    for (const [url, body, headers] of targets) {
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.arrayBuffer();
      expect(res.status, `${url} ${body.slice(0, 20)}`).to.be.below(500);
    }
  });
});
