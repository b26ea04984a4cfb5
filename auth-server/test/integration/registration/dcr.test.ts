import { expect } from 'chai';
import { useAuthStack } from '../../support/use-auth-stack.ts';

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [k: string]: unknown;
}

describe('dynamic client registration (RFC 7591) and management (RFC 7592)', () => {
  const stack = useAuthStack({ resourceServers: 1 });
  let iat: string;

  before(async () => {
    const res = await stack.server.admin('POST', '/admin/initial-access-tokens', { expires_in: 3600 });
    expect(res.status).to.equal(201);
    ({ initial_access_token: iat } = (await res.json()) as { initial_access_token: string });
  });

  const register = (body: unknown, token: string | null = iat) =>
    fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const m2m = {
    client_name: 'indexer',
    grant_types: ['client_credentials'],
    scope: 'vectors:read vectors:write',
  };

  it('registers a machine client with an initial access token; it gets tokens for the resource server', async () => {
    const res = await register(m2m);
    expect(res.status).to.equal(201);
    const client = (await res.json()) as Registered;
    expect(client.client_secret).to.be.a('string');
    expect(Buffer.from(client.client_secret!, 'base64url').length).to.be.at.least(32);
    expect(client.registration_access_token).to.be.a('string');
    const token = await stack.server.clientCredentialsToken(
      { client_id: client.client_id, client_secret: client.client_secret! },
      { scope: 'vectors:read' },
    );
    expect(token.status).to.equal(200);
    const { access_token } = (await token.json()) as { access_token: string };
    expect((await stack.rs[0]!.call(access_token)).status).to.equal(200);
  });

  it('refuses registration without a valid initial access token', async () => {
    expect((await register(m2m, null)).status).to.equal(401);
    expect((await register(m2m, 'not-a-token')).status).to.equal(401);
  });

  it('reads, updates (rotating the registration access token) and deletes with RFC 7592', async () => {
    const client = (await (await register(m2m)).json()) as Registered;
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const read = await fetch(client.registration_client_uri, {
      headers: auth(client.registration_access_token),
    });
    expect(read.status).to.equal(200);
    expect(await read.json()).to.include({ client_id: client.client_id, client_name: 'indexer' });

    const updated = await fetch(client.registration_client_uri, {
      method: 'PUT',
      headers: { ...auth(client.registration_access_token), 'content-type': 'application/json' },
      body: JSON.stringify({
        ...m2m,
        client_id: client.client_id,
        client_secret: client.client_secret,
        client_name: 'indexer v2',
      }),
    });
    expect(updated.status).to.equal(200);
    const after = (await updated.json()) as Registered;
    expect(after.client_name).to.equal('indexer v2');
    expect(after.registration_access_token).to.be.a('string').and.not.equal(client.registration_access_token);
    expect(
      (await fetch(client.registration_client_uri, { headers: auth(client.registration_access_token) }))
        .status,
    ).to.equal(401);

    const { access_token } = (await (
      await stack.server.clientCredentialsToken(
        { client_id: client.client_id, client_secret: client.client_secret! },
        { scope: 'vectors:read' },
      )
    ).json()) as { access_token: string };
    expect((await stack.rs[0]!.call(access_token)).status).to.equal(200);
    const deleted = await fetch(client.registration_client_uri, {
      method: 'DELETE',
      headers: auth(after.registration_access_token),
    });
    expect(deleted.status).to.equal(204);
    expect((await stack.rs[0]!.call(access_token)).status, 'a deleted client’s token dies at once').to.equal(
      401,
    );
    const again = await stack.server.clientCredentialsToken({
      client_id: client.client_id,
      client_secret: client.client_secret!,
    });
    expect(again.status).to.equal(401);
  });

  const refusals: [string, Record<string, unknown>, 'invalid_redirect_uri' | 'invalid_client_metadata'][] = [
    [
      'an http redirect URI for a web app',
      { redirect_uris: ['http://app.example/cb'] },
      'invalid_redirect_uri',
    ],
    ['a fragment', { redirect_uris: ['https://app.example/cb#x'] }, 'invalid_redirect_uri'],
    ['a wildcard', { redirect_uris: ['https://*.example.com/cb'] }, 'invalid_redirect_uri'],
    ['a javascript: URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['a data: URI', { redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri'],
    ['http on loopback for a web app', { redirect_uris: ['http://127.0.0.1/cb'] }, 'invalid_redirect_uri'],
    [
      'thousands of redirect URIs',
      { redirect_uris: Array.from({ length: 2000 }, (_, i) => `https://app.example/cb${i}`) },
      'invalid_redirect_uri',
    ],
    [
      'the implicit grant',
      { grant_types: ['implicit'], response_types: ['id_token'], redirect_uris: ['https://app.example/cb'] },
      'invalid_client_metadata',
    ],
    ['the password grant', { grant_types: ['password'] }, 'invalid_client_metadata'],
    [
      'none authentication with client credentials',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
    ],
    [
      'a self-chosen client_id',
      { client_id: 'i-choose-this', grant_types: ['client_credentials'] },
      'invalid_client_metadata',
    ],
    [
      'a self-chosen client_secret',
      { client_secret: 'weak', grant_types: ['client_credentials'] },
      'invalid_client_metadata',
    ],
    [
      'first-party trust',
      { first_party: true, redirect_uris: ['https://app.example/cb'] },
      'invalid_client_metadata',
    ],
    ['the admin scope', { grant_types: ['client_credentials'], scope: 'admin' }, 'invalid_client_metadata'],
    [
      'a jwks_uri the server would fetch',
      { grant_types: ['client_credentials'], jwks_uri: 'http://127.0.0.1:6379/' },
      'invalid_client_metadata',
    ],
    [
      'a sector_identifier_uri on a private address',
      { redirect_uris: ['https://app.example/cb'], sector_identifier_uri: 'https://10.0.0.1/s' },
      'invalid_client_metadata',
    ],
    [
      'an http logo',
      { grant_types: ['client_credentials'], logo_uri: 'http://app.example/logo.png' },
      'invalid_client_metadata',
    ],
  ];
  for (const [what, metadata, error] of refusals) {
    it(`refuses ${what} with ${error}`, async () => {
      const res = await register({ client_name: 'x', ...metadata });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.equal(error);
    });
  }

  it('allows loopback http and private-use schemes for native apps only', async () => {
    const native = await register({
      client_name: 'cli',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.cli:/callback'],
    });
    expect(native.status).to.equal(201);
    const web = await register({ client_name: 'web', redirect_uris: ['com.example.cli:/callback'] });
    expect(web.status).to.equal(400);
  });

  it('refuses oversized metadata without a 500', async () => {
    const res = await register({ client_name: 'x'.repeat(300_000), grant_types: ['client_credentials'] });
    expect(res.status).to.be.oneOf([400, 413]);
    const long = await register({ client_name: 'x'.repeat(500), grant_types: ['client_credentials'] });
    expect(long.status).to.equal(400);
    const malformed = await register('{"client_name":');
    expect(malformed.status).to.equal(400);
  });

  it('stores HTML in a client name as text', async () => {
    const res = await register({
      client_name: '<img src=x onerror=alert(1)>',
      grant_types: ['client_credentials'],
    });
    expect(res.status).to.equal(201);
    expect(((await res.json()) as Registered).client_name).to.equal('<img src=x onerror=alert(1)>');
  });
});
