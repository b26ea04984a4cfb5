import { expect } from 'chai';
import { decodeJwt } from 'jose';
import {
  createAppClient,
  newSignedInAccount,
  obtainTokens,
  revokableGrants,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * RFC 8693 for an agent acting for a person: the exchanged token is the person's (sub, grant),
 * narrower, names the agent in `act`; revoking the person's grant, the agent client, or the
 * person's sessions refuses it at the vector API on its next request.
 */
describe('token exchange (RFC 8693): an agent acting for a person', () => {
  const stack = useAuthStack({ smtp: true, vectorApi: true, appClient: true });

  const agent = (scope = 'vectors:read') =>
    stack.server.createClient({ client_name: 'agent', grant_types: [EXCHANGE], scope });
  const exchange = (client: { client_id: string; client_secret: string }, subjectToken: string, extra = {}) =>
    stack.server.clientCredentialsToken(client, {
      grant_type: EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN,
      ...extra,
    });
  const exchanged = async (
    client: { client_id: string; client_secret: string },
    subjectToken: string,
    extra = {},
  ) => {
    const res = await exchange(client, subjectToken, extra);
    expect(res.status, await res.clone().text()).to.equal(200);
    return (await res.json()) as {
      access_token: string;
      issued_token_type: string;
      scope: string;
      expires_in: number;
    };
  };
  const atVectorApi = (token: string) =>
    fetch(`${stack.api.url}/v1/collections`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
    );

  /** A person who signed in and let the app read and write: their browser and their access token. */
  async function person() {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, {
      email,
      scope: 'openid offline_access vectors:read vectors:write',
    });
    return { browser, accessToken: tokens.access_token };
  }

  it("gives the agent the person's token, narrower, naming the agent in act", async () => {
    const { accessToken } = await person();
    const client = await agent();
    const body = await exchanged(client, accessToken, { scope: 'vectors:read' });
    expect(body).to.include({ issued_token_type: ACCESS_TOKEN, scope: 'vectors:read' });
    const original = decodeJwt(accessToken);
    const claims = decodeJwt(body.access_token);
    expect(claims).to.include({
      sub: original.sub,
      grant_id: original.grant_id,
      client_id: client.client_id,
    });
    expect(claims.act).to.deep.equal({ sub: client.client_id });
    expect(claims.aud).to.equal(stack.server.config.vectorApiUrl);
    expect(await atVectorApi(body.access_token)).to.equal(200);
  });

  it('never widens: scopes beyond the subject token or the agent registration are refused', async () => {
    const { accessToken } = await person();
    const reader = await agent('vectors:read');
    for (const scope of ['vectors:write', 'vectors:delete', 'admin']) {
      const res = await exchange(reader, accessToken, { scope });
      expect(res.status, scope).to.equal(400);
      expect(((await res.json()) as { error: string }).error, scope).to.equal('invalid_scope');
    }
  });

  it('bounds a delegation chain: agents may exchange onward up to three actors deep', async () => {
    const { accessToken } = await person();
    const [a, b, c, d] = [await agent(), await agent(), await agent(), await agent()];
    const first = await exchanged(a, accessToken);
    const second = await exchanged(b, first.access_token);
    const third = await exchanged(c, second.access_token);
    expect(decodeJwt(third.access_token).act).to.deep.equal({
      sub: c.client_id,
      act: { sub: b.client_id, act: { sub: a.client_id } },
    });
    const fourth = await exchange(d, third.access_token);
    expect(fourth.status).to.equal(400);
    expect(((await fourth.json()) as { error: string }).error).to.equal('invalid_grant');
  });

  it("revoking the person's grant on the account page refuses the exchanged token", async () => {
    const { browser, accessToken } = await person();
    const token = (await exchanged(await agent(), accessToken)).access_token;
    expect(await atVectorApi(token)).to.equal(200);
    const page = await browser.get('/account');
    for (const grant of revokableGrants(page))
      await submit(browser, await browser.get('/account'), /apps\/revoke$/, { grant, confirmed: 'yes' });
    expect(await atVectorApi(token)).to.equal(401);
  });

  it('deleting the agent refuses its exchanged token, and only that', async () => {
    const { accessToken } = await person();
    const client = await agent();
    const token = (await exchanged(client, accessToken)).access_token;
    expect((await stack.server.admin('DELETE', `/admin/clients/${client.client_id}`)).status).to.equal(204);
    expect(await atVectorApi(token)).to.equal(401);
    expect(await atVectorApi(accessToken), "the person's own token still works").to.equal(200);
  });

  it("deleting the person's app (whose grant the token names) refuses the exchanged token, and it cannot be exchanged again", async () => {
    const app = await createAppClient(stack.server);
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, app, {
      email,
      scope: 'openid offline_access vectors:read',
    });
    const client = await agent();
    const token = (await exchanged(client, tokens.access_token)).access_token;
    expect(await atVectorApi(token)).to.equal(200);
    expect((await stack.server.admin('DELETE', `/admin/clients/${app.client_id}`)).status).to.equal(204);
    expect(await atVectorApi(token)).to.equal(401);
    expect((await exchange(client, token)).status).to.equal(400);
  });

  it('never outlives the subject token, and refuses DPoP-bound subjects and clients that must bind', async () => {
    const { accessToken } = await person();
    const short = decodeJwt(accessToken);
    const body = await exchanged(await agent(), accessToken);
    const exchangedClaims = decodeJwt(body.access_token);
    expect(exchangedClaims.exp).to.be.at.most(short.exp as number);
    expect((exchangedClaims.exp as number) - (exchangedClaims.iat as number)).to.equal(body.expires_in);
    const dpopOnly = await stack.server.createClient({
      client_name: 'dpop agent',
      grant_types: [EXCHANGE],
      scope: 'vectors:read',
      dpop_bound_access_tokens: true,
    });
    const refused = await exchange(dpopOnly, accessToken);
    expect(refused.status).to.equal(400);
    expect(((await refused.json()) as { error: string }).error).to.equal('invalid_request');
  });

  it('signing out everywhere refuses the exchanged token', async () => {
    const { browser, accessToken } = await person();
    const token = (await exchanged(await agent(), accessToken)).access_token;
    await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, { confirmed: 'yes' });
    expect(await atVectorApi(token)).to.equal(401);
  });

  it('refuses a revoked, foreign or malformed subject token, the wrong token type, and clients not registered for it', async () => {
    const { browser, accessToken } = await person();
    const client = await agent();
    for (const [subject, extra, error] of [
      ['not-a-jwt', {}, 'invalid_grant'],
      [accessToken, { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'invalid_request'],
      [accessToken, { resource: 'https://elsewhere.example' }, 'invalid_target'],
      [accessToken, { audience: 'https://elsewhere.example' }, 'invalid_target'],
    ] as const) {
      const res = await exchange(client, subject, extra);
      expect(res.status, JSON.stringify(extra)).to.equal(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(extra)).to.equal(error);
    }
    const machine = await stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const unregistered = await exchange(machine, accessToken);
    // oidc-provider's answer for any grant a client is not registered for.
    expect(unregistered.status).to.equal(400);
    expect(await unregistered.json()).to.deep.equal({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
    await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, { confirmed: 'yes' });
    const revoked = await exchange(client, accessToken);
    expect(((await revoked.json()) as { error: string }).error).to.equal('invalid_grant');
    const publicAgent = await stack.server.admin('POST', '/admin/clients', {
      client_name: 'public agent',
      grant_types: [EXCHANGE],
      token_endpoint_auth_method: 'none',
    });
    expect(publicAgent.status).to.equal(400);
  });
});
