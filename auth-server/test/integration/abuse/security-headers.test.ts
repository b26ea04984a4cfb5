import { expect } from 'chai';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('browser defences on the auth server', () => {
  const stack = useAuthStack({ env: { TRUST_PROXY: 'true' } });

  it('sends security headers on pages, OAuth endpoints and errors', async () => {
    for (const path of [
      '/signup',
      '/.well-known/openid-configuration',
      '/jwks',
      '/no-such-page',
      '/healthz',
    ]) {
      const res = await fetch(`${stack.server.issuer}${path}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
      expect(res.headers.get('referrer-policy'), path).to.equal('no-referrer');
      expect(res.headers.get('x-frame-options'), path).to.equal('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).to.contain("frame-ancestors 'none'");
      expect(csp, path).not.to.contain('unsafe-inline');
      expect(res.headers.get('strict-transport-security'), 'no HSTS over plain http').to.equal(null);
    }
    const admin = await fetch(`${stack.server.adminUrl}/healthz`);
    expect(admin.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('pages carry no inline script, only our own script file, and allow only their own stylesheet', async () => {
    const res = await fetch(`${stack.server.issuer}/signup`);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script[^>]*>[\s\S]*?<\/script>/gi)].map((m) => m[0]);
    expect(scripts).to.deep.equal(['<script src="/static/show-password.js" defer></script>']);
    expect(html).not.to.match(/\son[a-z]+=/i);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("style-src 'self'").and.contain("default-src 'none'");
    // Scripts from this origin only: an inline one runs only where oidc-provider allows its own by hash.
    expect(csp).to.contain("script-src 'self'").and.not.contain('unsafe-inline');
    const script = await fetch(`${stack.server.issuer}/static/show-password.js`);
    expect(script.headers.get('content-type')).to.match(/^text\/javascript/);
  });

  it('sends HSTS and Secure cookies when served over https (behind a trusted proxy)', async () => {
    const res = await fetch(`${stack.server.issuer}/signup`, { headers: { 'x-forwarded-proto': 'https' } });
    await res.arrayBuffer();
    expect(res.headers.get('strict-transport-security')).to.contain('max-age=31536000');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('csrf='))!;
    expect(cookie)
      .to.match(/;\s*secure/i)
      .and.match(/;\s*httponly/i)
      .and.match(/samesite=lax/i);
    const plain = await fetch(`${stack.server.issuer}/signup`);
    await plain.arrayBuffer();
    const plainCookie = plain.headers.getSetCookie().find((c) => c.startsWith('csrf='))!;
    expect(plainCookie)
      .to.match(/;\s*httponly/i)
      .and.not.match(/;\s*secure/i);
  });
});

describe('per-client CORS on the OAuth endpoints', () => {
  const stack = useAuthStack();

  it('allows only the origins of the client’s redirect URIs, never *', async () => {
    const spa = await stack.server.createClient({
      client_name: 'spa',
      redirect_uris: ['https://spa.example/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    });
    const ask = (origin: string) =>
      fetch(`${stack.server.issuer}/token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: spa.client_id,
          code: 'x',
          redirect_uri: 'https://spa.example/callback',
          code_verifier: 'y'.repeat(43),
        }),
      });
    const own = await ask('https://spa.example');
    expect(own.headers.get('access-control-allow-origin')).to.equal('https://spa.example');
    expect(own.headers.get('access-control-allow-credentials')).to.equal(null);
    const foreign = await ask('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
    const web = await stack.server.createClient({
      client_name: 'web',
      redirect_uris: ['https://web.example/cb'],
    });
    const confidential = await fetch(`${stack.server.issuer}/token`, {
      method: 'POST',
      headers: {
        origin: 'https://web.example',
        authorization: `Basic ${Buffer.from(`${web.client_id}:${web.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(
      confidential.headers.get('access-control-allow-origin'),
      'a confidential client is not called from browsers',
    ).to.equal(null);
    const preflight = await fetch(`${stack.server.issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).to.not.equal('*');
  });
});
