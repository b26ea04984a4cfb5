import type Router from '@koa/router';
import { expect } from 'chai';
import { createAuditRoutes } from '../../../src/admin/audit-routes.ts';
import { createClientRoutes } from '../../../src/admin/client-routes.ts';
import { createInitialAccessTokenRoutes } from '../../../src/admin/initial-access-token-routes.ts';
import { createKeyRoutes } from '../../../src/admin/key-routes.ts';
import { createRevocationRoutes } from '../../../src/admin/revocation-routes.ts';
import { createUserRoutes } from '../../../src/admin/user-routes.ts';
import { createFederationRoutes } from '../../../src/pages/federation-routes.ts';
import { createFrontDoorRoutes } from '../../../src/pages/front-door-routes.ts';
import { createPageRouter } from '../../../src/pages/page-router.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { attacksOn, type Endpoint, expectRefused, routesOf } from '../../support/unusable-input.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

// The routers are built only to read their route tables; nothing here is ever called.
const unused = {} as never;

/** Every page route (sign-up, password, interactions, account, developer console, federation). */
function pageRoutes(): { method: string; path: string }[] {
  const deps = { provider: unused, accounts: unused, pages: unused, csrf: unused, issuer: '', audit: unused };
  const router = createPageRouter({
    ...deps,
    flows: unused,
    sessions: unused,
    clients: unused,
    initialAccessTokens: unused,
    apiKeys: unused,
    secondFactors: unused,
    passkeys: unused,
    signIns: unused,
    signInAttempt: unused,
    formLimits: (_ctx, next) => next(),
    frontDoor: createFrontDoorRoutes({ pages: unused, development: true, vectorApiUrl: '' }),
    federatedProviders: [],
    federationRoutes: createFederationRoutes({
      ...deps,
      identities: unused,
      federatedAccounts: unused,
      upstreams: [],
      signIns: unused,
    }),
  });
  return routesOf(router);
}

/** Every admin route, from the routers the admin app mounts (auth-server.ts). */
function adminRoutes(): { method: string; path: string }[] {
  const routers: Router[] = [
    createClientRoutes(unused, unused),
    createInitialAccessTokenRoutes(() => unused),
    createKeyRoutes(unused),
    createUserRoutes(unused),
    createRevocationRoutes(unused),
    createAuditRoutes(unused),
  ];
  return [
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: '/metrics' },
    ...routers.flatMap(routesOf),
  ];
}

/**
 * oidc-provider's endpoints, from its discovery document, with the routes it derives from them
 * (registration management, logout confirmation, authorization resume).
 */
async function providerEndpoints(issuer: string): Promise<Endpoint[]> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  const path = (key: string) => {
    expect(discovery[key], key).to.be.a('string');
    return new URL(discovery[key]!).pathname;
  };
  const oauthPost = [
    'token_endpoint',
    'revocation_endpoint',
    'introspection_endpoint',
    'pushed_authorization_request_endpoint',
  ];
  return [
    { method: 'GET', path: '/.well-known/openid-configuration', format: 'oauth' },
    { method: 'GET', path: path('jwks_uri'), format: 'oauth' },
    ...oauthPost.map((key): Endpoint => ({ method: 'POST', path: path(key), body: 'form', format: 'oauth' })),
    { method: 'GET', path: path('userinfo_endpoint'), format: 'oauth' },
    { method: 'POST', path: path('userinfo_endpoint'), body: 'form', format: 'oauth' },
    { method: 'POST', path: path('registration_endpoint'), body: 'json', format: 'oauth' },
    { method: 'GET', path: `${path('registration_endpoint')}/:clientId`, format: 'oauth' },
    { method: 'PUT', path: `${path('registration_endpoint')}/:clientId`, body: 'json', format: 'oauth' },
    { method: 'DELETE', path: `${path('registration_endpoint')}/:clientId`, format: 'oauth' },
    { method: 'GET', path: path('authorization_endpoint'), format: 'page' },
    { method: 'POST', path: path('authorization_endpoint'), body: 'form', format: 'page' },
    { method: 'GET', path: `${path('authorization_endpoint')}/:uid`, format: 'page' },
    { method: 'GET', path: path('end_session_endpoint'), format: 'page' },
    { method: 'POST', path: path('end_session_endpoint'), body: 'form', format: 'page' },
    { method: 'POST', path: `${path('end_session_endpoint')}/confirm`, body: 'form', format: 'page' },
    { method: 'GET', path: `${path('end_session_endpoint')}/success`, format: 'page' },
  ];
}

describe('attack suite: strings Postgres refuses are a 400 on every endpoint', function () {
  this.timeout(120_000);
  const stack = useAuthStack({ vectorApi: true });

  it('answers the reported requests with a 400, not a 500', async () => {
    for (const path of ['/session/end?state=%00', '/auth?client_id=%00']) {
      const res = await fetch(`${stack.server.issuer}${path}`, { redirect: 'manual' });
      expect(res.status, path).to.equal(400);
      expect(await res.text(), path).to.contain('This request cannot be completed');
    }
  });

  it('refuses them on every public endpoint, as a page where a browser is and as OAuth JSON elsewhere', async () => {
    const endpoints: Endpoint[] = [
      { method: 'GET', path: '/healthz', format: 'api' },
      { method: 'GET', path: '/readyz', format: 'api' },
      ...pageRoutes().map((r): Endpoint => ({ ...r, body: 'form', format: 'page' })),
      ...(await providerEndpoints(stack.server.issuer)),
    ];
    expect(endpoints.map((e) => `${e.method} ${e.path}`)).to.include.members([
      'POST /signup',
      'POST /interaction/:uid/login',
      'GET /account',
      'POST /developers/apps/:id/delete',
      'GET /federated/callback/:provider',
      'POST /token',
      'POST /session/end/confirm',
    ]);
    let sent = 0;
    for (const endpoint of endpoints) {
      for (const attack of attacksOn(stack.server.issuer, endpoint, { cookies: true })) {
        await expectRefused(attack, endpoint.format);
        sent++;
      }
    }
    expect(sent).to.be.above(endpoints.length * 10);
  });

  it('refuses them on every admin endpoint with {error, message}', async () => {
    const auth = { authorization: `Bearer ${stack.server.config.admin.token}` };
    const endpoints = adminRoutes().map((r): Endpoint => ({ ...r, body: 'json', format: 'api' }));
    expect(endpoints.map((e) => `${e.method} ${e.path}`)).to.include.members([
      'POST /admin/clients',
      'PATCH /admin/clients/:id',
      'DELETE /admin/users/:id',
      'POST /admin/keys/rotate',
    ]);
    for (const endpoint of endpoints) {
      for (const attack of attacksOn(stack.server.adminUrl, endpoint, { auth }))
        await expectRefused(attack, 'api');
    }
  });

  it('refuses them on every vector API endpoint with {error, message}', async () => {
    const client = await stack.server.createClient({
      client_name: 'unusable input',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write vectors:delete admin',
    });
    const token = (
      (await (
        await stack.server.clientCredentialsToken(client, {
          scope: 'vectors:read vectors:write vectors:delete admin',
        })
      ).json()) as { access_token: string }
    ).access_token;
    const openapi = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const endpoints: Endpoint[] = [
      ...['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'].map(
        (path): Endpoint => ({ method: 'GET', path, format: 'api' }),
      ),
      ...Object.entries(openapi.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(
          ([method, operation]): Endpoint => ({
            method: method.toUpperCase(),
            path: path.replace(/\{([A-Za-z_]+)\}/g, ':$1'),
            body: operation.requestBody ? 'json' : undefined,
            format: 'api',
          }),
        ),
      ),
    ];
    expect(endpoints.length).to.be.above(12);
    const auth = { authorization: `Bearer ${token}` };
    for (const endpoint of endpoints) {
      for (const attack of attacksOn(stack.api.url, endpoint, { auth })) await expectRefused(attack, 'api');
    }
    // The same token still works: nothing above was a failure of the service.
    const listed = await fetch(`${stack.api.url}/v1/collections`, { headers: auth });
    expect(listed.status).to.equal(200);
  });

  it('still takes ordinary non-ASCII text and percent-encoded Basic credentials', async () => {
    const client = await stack.server.createClient({
      client_name: 'Café ☕ 東京',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const encoded = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
    const res = await fetch(`${stack.server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(encoded).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=vectors%3Aread',
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    const page = await fetch(`${stack.server.issuer}/signup?next=%C3%A9t%C3%A9`);
    expect(page.status).to.equal(200);
    const browser = new BrowserSession(stack.server.issuer);
    const form = await browser.get('/forgot-password');
    // Parsed and handed to the page (which finds no e-mail address in it), not refused.
    const sent = await browser.post('/forgot-password', { email: 'josé müller, 東京 ☕' }, form);
    expect(sent.status, sent.html).to.equal(400);
    expect(sent.html).to.contain('Enter a valid e-mail address.').and.contain('josé müller, 東京 ☕');
    const listed = (await (await stack.server.admin('GET', `/admin/clients/${client.client_id}`)).json()) as {
      client_name: string;
    };
    expect(listed.client_name).to.equal('Café ☕ 東京');
  });
});
