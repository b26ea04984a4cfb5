import { devSecret, freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { authorizationRequest } from '../../support/code-flow.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** A production auth server behind a TLS-terminating proxy (TRUST_PROXY), reached over plain http. */
describe('HTTPS in production: no silent downgrade behind the proxy, Secure cookies always', function () {
  this.timeout(30_000);
  const stack = useAuthStack({
    env: async () => {
      const port = String(await freePort());
      return {
        NODE_ENV: 'production',
        TRUST_PROXY: 'true',
        AUTH_PORT: port,
        ISSUER: `http://localhost:${port}`,
        VECTOR_API_URL: 'http://localhost:4999',
        ADMIN_TOKEN: 'production-admin-token-0123456789abcdef',
        MASTER_KEY: devSecret(testEnv().dataDir, 'master-key'),
        COOKIE_KEYS: 'production-cookie-key-0123456789abcdef',
        SMTP_URL: 'smtp://127.0.0.1:2',
      };
    },
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.server.publicUrl}${path}`, { headers, redirect: 'manual' });

  it('answers an OAuth request the proxy received over http with a 400 invalid_request, not the token', async () => {
    const client = await stack.server.createClient({
      client_name: 'https-m2m',
      grant_types: ['client_credentials'],
      response_types: [],
      scope: 'vectors:read',
    });
    const post = (proto: string) =>
      fetch(`${stack.server.publicUrl}/token`, {
        method: 'POST',
        headers: {
          'x-forwarded-proto': proto,
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read' }),
      });
    const refused = await post('http');
    expect(refused.status).to.equal(400);
    expect(refused.headers.get('cache-control')).to.equal('no-store');
    const body = (await refused.json()) as Record<string, string>;
    expect(body.error).to.equal('invalid_request');
    expect(body.error_description).to.match(/https/);
    expect(body).to.not.have.property('access_token');
    // The proxy's first hop decides; "http, https" appended by a second proxy is still http.
    expect((await post('http, https')).status).to.equal(400);
    const served = await post('https');
    expect(served.status).to.equal(200);
  });

  it('has no development mail box', async () => {
    expect((await get('/dev/mail', { 'x-forwarded-proto': 'https' })).status).to.equal(404);
  });

  it('shows an error page to a browser that came over http', async () => {
    const res = await get('/signup', { 'x-forwarded-proto': 'http', accept: 'text/html,*/*;q=0.8' });
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(await res.text()).to.contain('only served over https');
    expect(res.headers.get('set-cookie')).to.equal(null);
  });

  it('keeps health checks (no proxy header, or any) answering', async () => {
    expect((await get('/healthz', { 'x-forwarded-proto': 'http' })).status).to.equal(200);
    expect((await get('/readyz')).status).to.equal(200);
  });

  it('sets Secure on page cookies whatever scheme the request arrived with', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      const res = await get('/signup', { accept: 'text/html', ...headers });
      expect(res.status).to.equal(200);
      const cookies = res.headers.getSetCookie();
      expect(cookies).to.not.be.empty;
      for (const c of cookies) expect(c.toLowerCase()).to.contain('; secure');
    }
  });

  it("sets Secure on oidc-provider's interaction cookies reached over plain http", async () => {
    const client = await stack.server.createClient({
      client_name: 'https-web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://app.example/cb'],
    });
    const res = await get(
      authorizationRequest(
        { client_id: client.client_id, redirectUri: 'https://app.example/cb' },
        { scope: 'openid' },
      ),
    );
    expect(res.status).to.equal(303);
    const cookies = res.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('_interaction='))).to.equal(true);
    for (const c of cookies) expect(c.toLowerCase()).to.contain('; secure');
  });
});
