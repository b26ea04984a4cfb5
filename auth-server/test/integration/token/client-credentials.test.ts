import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('client credentials: JWT access tokens for the vector API', () => {
  const stack = useAuthStack();
  let client: { client_id: string; client_secret: string };

  before(async () => {
    client = await stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
  });

  it('issues an RFC 9068 JWT for the vector API that verifies against the JWKS', async () => {
    const res = await stack.server.clientCredentialsToken(client, { scope: 'vectors:read vectors:write' });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      scope: string;
    };
    expect(body).to.include({ token_type: 'Bearer', scope: 'vectors:read vectors:write' });
    const jwks = createRemoteJWKSet(new URL(`${stack.server.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
      issuer: stack.server.issuer,
      audience: stack.server.config.vectorApiUrl,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).to.equal('ES256');
    expect(payload).to.include({
      sub: client.client_id,
      client_id: client.client_id,
      scope: 'vectors:read vectors:write',
    });
    expect(payload.jti).to.be.a('string');
    expect(payload.exp! - payload.iat!).to.equal(stack.server.config.tokens.accessTokenTtl);
  });

  it('gives the vector API as the default resource when none is named', async () => {
    const res = await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' });
    const { access_token } = (await res.json()) as { access_token: string };
    const [, payload] = access_token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).to.include({
      aud: stack.server.config.vectorApiUrl,
    });
  });

  it('refuses a scope the client was not registered for', async () => {
    const res = await stack.server.clientCredentialsToken(client, { scope: 'vectors:delete' });
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: 'invalid_scope' });
  });

  it('refuses an unknown resource indicator', async () => {
    const res = await stack.server.clientCredentialsToken(client, {
      scope: 'vectors:read',
      resource: 'https://evil.example/',
    });
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: 'invalid_target' });
  });

  it('refuses a wrong secret and an unknown client', async () => {
    const wrong = await stack.server.clientCredentialsToken(
      { ...client, client_secret: 'not-it' },
      { scope: 'vectors:read' },
    );
    expect(wrong.status).to.equal(401);
    expect(await wrong.json()).to.include({ error: 'invalid_client' });
    const unknown = await stack.server.clientCredentialsToken({ client_id: 'nobody', client_secret: 'x' });
    expect(unknown.status).to.equal(401);
  });

  it('refuses client credentials to a client not registered for that grant', async () => {
    const web = await stack.server.createClient({
      client_name: 'web',
      redirect_uris: ['https://app.example/cb'],
    });
    const res = await stack.server.clientCredentialsToken(web, { scope: 'vectors:read' });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error_description: string };
    expect(body.error_description).to.contain('grant type is not allowed');
  });

  it('stops issuing to a deleted client', async () => {
    const doomed = await stack.server.createClient({
      client_name: 'doomed',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    expect((await stack.server.clientCredentialsToken(doomed)).status).to.equal(200);
    expect((await stack.server.admin('DELETE', `/admin/clients/${doomed.client_id}`)).status).to.equal(204);
    expect((await stack.server.clientCredentialsToken(doomed)).status).to.equal(401);
  });

  it('publishes only public key material in the JWKS', async () => {
    const { keys } = (await (await fetch(`${stack.server.issuer}/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.length).to.be.greaterThan(0);
    for (const key of keys)
      for (const field of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.to.have.property(field);
  });

  it('keeps its signing key across restarts, so earlier tokens still verify', async () => {
    const before = (await (
      await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' })
    ).json()) as { access_token: string };
    const kid = decodeProtectedHeader(before.access_token).kid;
    await stack.restart();
    const jwks = createRemoteJWKSet(new URL(`${stack.server.issuer}/jwks`));
    await jwtVerify(before.access_token, jwks, { issuer: stack.server.issuer, typ: 'at+jwt' });
    const after = (await (
      await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' })
    ).json()) as {
      access_token: string;
    };
    expect(decodeProtectedHeader(after.access_token).kid).to.equal(kid);
  });

  it('advertises discovery metadata without implicit flows or dev interactions', async () => {
    const meta = (await (
      await fetch(`${stack.server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(meta.issuer).to.equal(stack.server.issuer);
    expect(meta.grant_types_supported).to.include('client_credentials').and.not.include('implicit');
    expect(meta.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(meta.response_types_supported).to.deep.equal(['code']);
  });
});
