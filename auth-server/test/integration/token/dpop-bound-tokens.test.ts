import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { createDpopKey, type DpopKey } from '../../../../shared/test/support/dpop-key.ts';
import { authorize, newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { publicTokenRequest } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * RFC 9449 end to end: the authorization server binds the tokens of a client that proves a key,
 * per client it can require it, and the vector API honours a bound token only with proofs by that
 * key; revocation reaches bound tokens as it reaches bearer ones.
 */
describe('DPoP-bound access tokens from /token to the vector API', () => {
  const stack = useAuthStack({ vectorApi: true, smtp: true });
  let key: DpopKey;
  before(async () => {
    key = await createDpopKey();
  });

  const tokenProof = () => key.proof({ method: 'POST', url: `${stack.server.issuer}/token` });
  const collections = async (token: string, scheme: 'DPoP' | 'Bearer') => {
    const publicUrl = `${stack.server.config.vectorApiUrl}/v1/collections`;
    const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
    if (scheme === 'DPoP')
      headers.dpop = await key.proof({ method: 'GET', url: publicUrl, accessToken: token });
    return fetch(`${stack.api.url}/v1/collections`, { headers });
  };
  const machineClient = (extra: Record<string, unknown> = {}) =>
    stack.server.createClient({
      client_name: 'agent',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
      ...extra,
    });

  it('binds the token of a client that sends a proof (cnf.jkt, token_type DPoP), usable only with proofs', async () => {
    const client = await machineClient();
    const res = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: await tokenProof() },
    );
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { access_token: string; token_type: string };
    expect(body.token_type).to.equal('DPoP');
    expect(decodeJwt(body.access_token).cnf).to.deep.equal({ jkt: key.jkt });
    expect((await collections(body.access_token, 'DPoP')).status).to.equal(200);
    const asBearer = await collections(body.access_token, 'Bearer');
    expect(asBearer.status).to.equal(401);
    expect(((await asBearer.json()) as { error: string }).error).to.equal('invalid_token');
  });

  it('a client registered with dpop_bound_access_tokens gets no token without a proof', async () => {
    const client = await machineClient({ dpop_bound_access_tokens: true });
    const bare = await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' });
    // oidc-provider refuses the grant (invalid_grant) when the client's tokens must be bound.
    expect(bare.status).to.equal(400);
    expect(((await bare.json()) as { error: string }).error).to.equal('invalid_grant');
    const proven = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: await tokenProof() },
    );
    expect(proven.status).to.equal(200);
  });

  it('deleting the client refuses its bound token at the vector API on the next request', async () => {
    const client = await machineClient();
    const res = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: await tokenProof() },
    );
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await collections(access_token, 'DPoP')).status).to.equal(200);
    expect((await stack.server.admin('DELETE', `/admin/clients/${client.client_id}`)).status).to.equal(204);
    const after = await collections(access_token, 'DPoP');
    expect(after.status).to.equal(401);
    expect(((await after.json()) as { message: string }).message).to.contain('revoked');
  });

  it('a proof replayed at /token is refused', async () => {
    const client = await machineClient();
    const proof = await tokenProof();
    const first = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: proof },
    );
    expect(first.status).to.equal(200);
    const again = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: proof },
    );
    // oidc-provider answers a replayed proof as invalid_grant, naming the replay.
    expect(again.status).to.equal(400);
    expect(((await again.json()) as { error: string }).error).to.equal('invalid_grant');
    const fresh = await stack.server.clientCredentialsToken(
      client,
      { scope: 'vectors:read' },
      { dpop: await tokenProof() },
    );
    expect(fresh.status, 'a fresh proof passes').to.equal(200);
  });

  it("binds a public client's refresh token to its key: refreshing needs a proof by that key", async () => {
    const redirectUri = 'http://127.0.0.1:8765/callback';
    const client = await stack.server.createClient({
      client_name: 'native agent',
      application_type: 'native',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access vectors:read',
    });
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const { code, verifier } = await authorize(
      browser,
      { client_id: client.client_id, client_secret: '', redirectUri },
      { scope: 'openid offline_access vectors:read', prompt: 'consent' },
    );
    const token = async (fields: Record<string, string>, proofBy?: DpopKey) =>
      publicTokenRequest(
        stack.server,
        { client_id: client.client_id, ...fields },
        proofBy ? { dpop: await proofBy.proof({ method: 'POST', url: `${stack.server.issuer}/token` }) } : {},
      );
    const first = await token(
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
      key,
    );
    expect(first.status, await first.clone().text()).to.equal(200);
    const { refresh_token, access_token } = (await first.json()) as {
      refresh_token: string;
      access_token: string;
    };
    expect(decodeJwt(access_token).cnf).to.deep.equal({ jkt: key.jkt });
    const refresh = { grant_type: 'refresh_token', refresh_token };
    expect((await token(refresh)).status, 'without a proof').to.equal(400);
    expect((await token(refresh, await createDpopKey())).status, 'with another key').to.equal(400);
    const renewed = await token(refresh, key);
    expect(renewed.status, await renewed.clone().text()).to.equal(200);
    expect(decodeJwt(((await renewed.json()) as { access_token: string }).access_token).cnf).to.deep.equal({
      jkt: key.jkt,
    });
  });

  it('publishes RFC 8414 metadata: the OpenID discovery document, same issuer, with DPoP and PKCE', async () => {
    const oauth = await fetch(`${stack.server.issuer}/.well-known/oauth-authorization-server`);
    const openid = await fetch(`${stack.server.issuer}/.well-known/openid-configuration`);
    expect(oauth.status).to.equal(200);
    const metadata = (await oauth.json()) as Record<string, unknown>;
    expect(metadata).to.deep.equal(await openid.json());
    expect(metadata.issuer).to.equal(stack.server.issuer);
    expect(metadata.dpop_signing_alg_values_supported).to.include('ES256');
    expect(metadata.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(metadata.token_endpoint).to.equal(`${stack.server.issuer}/token`);
  });
});
