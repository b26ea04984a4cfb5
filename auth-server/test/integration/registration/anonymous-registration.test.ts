import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { authorize, newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, publicTokenRequest } from '../../support/code-flow.ts';
import { startTestAuthServer } from '../../support/test-auth-server.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const REDIRECT = 'http://127.0.0.1:8123/callback';

/** RFC 7591 without an initial access token (REGISTRATION_ANONYMOUS=on): public native agents only. */
describe('anonymous dynamic registration, for agents that only speak DCR', () => {
  const stack = useAuthStack({ smtp: true, db: true, env: { REGISTRATION_ANONYMOUS: 'on' } });

  const register = (body: Record<string, unknown>, issuer = stack.server.issuer, token?: string) =>
    fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const initialAccessTokens = async () =>
    (await stack.db.query(`select count(*)::int as n from oidc_model where model = 'InitialAccessToken'`))
      .rows[0].n as number;
  const agent = (over: Record<string, unknown> = {}) => ({
    client_name: 'Agent',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access vectors:read',
    ...over,
  });

  it('registers a public native client with a loopback redirect, marked, with no secret', async () => {
    const tokensBefore = await initialAccessTokens();
    const res = await register(agent());
    expect(res.status, await res.clone().text()).to.equal(201);
    const client = (await res.json()) as Record<string, unknown>;
    expect(client).to.include({
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      anonymous_registration: true,
    });
    expect(client).to.not.have.property('client_secret');
    expect(client.registration_access_token).to.be.a('string');
    expect(await initialAccessTokens(), 'the one-request token is gone').to.equal(tokensBefore);
    const privateUse = await register(agent({ redirect_uris: ['com.example.agent:/callback'] }));
    expect(privateUse.status).to.equal(201);
  });

  it('refuses what nobody should register unvouched', async () => {
    for (const [over, error] of [
      [{ redirect_uris: ['https://agent.example/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://agent.example/cb'] }, 'invalid_redirect_uri'],
      [{ application_type: 'web', redirect_uris: ['https://agent.example/cb'] }, 'invalid_client_metadata'],
      [{ token_endpoint_auth_method: 'client_secret_basic' }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], redirect_uris: [] }, 'invalid_client_metadata'],
      [{ scope: 'openid admin' }, 'invalid_client_metadata'],
      [{ first_party: true }, 'invalid_client_metadata'],
      [{ anonymous_registration: false }, 'invalid_client_metadata'],
      [{ post_logout_redirect_uris: ['https://evil.example/after'] }, 'invalid_redirect_uri'],
    ] as const) {
      const res = await register(agent(over));
      expect(res.status, JSON.stringify(over)).to.equal(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(over)).to.equal(error);
    }
  });

  it('never gives such a client the admin scope, which it did not (and could not) register for; consent calls it unverified', async () => {
    const registered = (await (await register(agent({ scope: undefined }))).json()) as { client_id: string };
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const consentPage = await browser.get(
      authorizationRequest(
        { client_id: registered.client_id, redirectUri: REDIRECT },
        { scope: 'openid vectors:read admin', prompt: 'consent' },
      ),
    );
    expect(consentPage.html).to.contain('it registered itself');
    expect(consentPage.html, 'never asked for').to.not.contain('Administer');
    const { code, verifier } = await authorize(
      browser,
      { client_id: registered.client_id, client_secret: '', redirectUri: REDIRECT },
      { email, scope: 'openid vectors:read admin' },
    );
    const res = await publicTokenRequest(stack.server, {
      grant_type: 'authorization_code',
      client_id: registered.client_id,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(String(decodeJwt(access_token).scope).split(' ')).to.not.include('admin');
  });

  it('leaves registrations with an initial access token to the usual policy (confidential clients too)', async () => {
    const iat = await stack.server.initialAccessToken();
    const res = await register(
      { client_name: 'crawler', grant_types: ['client_credentials'], scope: 'vectors:read' },
      stack.server.issuer,
      iat,
    );
    expect(res.status, await res.clone().text()).to.equal(201);
    const client = (await res.json()) as Record<string, unknown>;
    expect(client.client_secret).to.be.a('string');
    expect(client).to.not.have.property('anonymous_registration');
    const forged = await register(agent(), stack.server.issuer, 'not-a-token');
    expect(forged.status, 'a bad token is not treated as none').to.equal(401);
  });

  it('deletes an anonymous client nobody used for ANONYMOUS_CLIENT_TTL_DAYS, keeps one with a grant', async () => {
    const unused = (await (await register(agent())).json()) as { client_id: string };
    const used = (await (await register(agent())).json()) as { client_id: string };
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    await authorize(
      browser,
      { client_id: used.client_id, client_secret: '', redirectUri: REDIRECT },
      { email },
    );
    await stack.db.query(
      `update oidc_model set payload = jsonb_set(payload, '{client_id_issued_at}', to_jsonb((extract(epoch from now()) - 31 * 86400)::bigint))
        where model = 'Client' and id = any($1)`,
      [[unused.client_id, used.client_id]],
    );
    await stack.server.sweepNow();
    expect(
      (await stack.server.admin('GET', `/admin/clients/${encodeURIComponent(unused.client_id)}`)).status,
    ).to.equal(404);
    expect(
      (await stack.server.admin('GET', `/admin/clients/${encodeURIComponent(used.client_id)}`)).status,
    ).to.equal(200);
  });

  // Last: another server on the same database re-registers the account page's client for its own issuer.
  it('is off unless the operator turns it on', async () => {
    const server = await startTestAuthServer();
    try {
      const res = await register(agent(), server.issuer);
      expect(res.status).to.equal(401);
    } finally {
      await server.close();
    }
  });
});
