import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { BrowserSession, formAction } from '../../support/browser-session.ts';
import {
  authorizationRequest,
  consent,
  newPkce,
  redeem,
  signIn,
  signUpVerified,
} from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

type Client = { client_id: string; client_secret: string };

describe('revocation reaches every resource server on the next request', () => {
  const stack = useAuthStack({ env: { REFRESH_TOKEN_REUSE_GRACE_SEC: '0' }, smtp: true, resourceServers: 2 });
  let m2m: Client;
  let other: Client;
  let app: Client;
  const redirectUri = 'https://app.example/cb';

  before(async () => {
    m2m = await stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    other = await stack.server.createClient({
      client_name: 'other',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    app = await stack.server.createClient({
      client_name: 'app',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access vectors:read',
    });
  });

  const m2mToken = async (client: Client) =>
    (
      (await (await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' })).json()) as {
        access_token: string;
      }
    ).access_token;

  /** Every instance answers `status` for the token. */
  async function everywhere(token: string, status: number): Promise<void> {
    for (const r of stack.rs) {
      const res = await r.call(token);
      expect(res.status).to.equal(status);
      if (status === 401) expect(res.challenge).to.contain('error="invalid_token"');
    }
  }

  const form = (client: Client, fields: Record<string, string>, path: string, accept = '*/*') =>
    fetch(`${stack.server.issuer}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept,
      },
      body: new URLSearchParams(fields),
    });

  async function userWithTokens(): Promise<{
    browser: BrowserSession;
    email: string;
    password: string;
    tokens: { access_token: string; refresh_token: string };
  }> {
    const email = `rv-${randomUUID()}@example.com`;
    const password = 'revocation passphrase';
    const browser = new BrowserSession(stack.server.issuer);
    await signUpVerified(browser, stack.sink, email, password);
    const tokens = await codeFlow(browser, email, password);
    return { browser, email, password, tokens };
  }

  async function codeFlow(browser: BrowserSession, email?: string, password?: string) {
    const pkce = newPkce();
    let page = await browser.get(
      authorizationRequest(
        { client_id: app.client_id, redirectUri },
        { scope: 'openid offline_access vectors:read', prompt: 'consent' },
        pkce,
      ),
    );
    if (email && password) page = await signIn(browser, page, email, password);
    const back = await consent(browser, page, 'allow');
    const res = await redeem(stack.server, app, {
      grant_type: 'authorization_code',
      code: back.leftTo!.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as { access_token: string; refresh_token: string };
  }

  it('RFC 7009 on a JWT access token: that token dies, the client’s other tokens live', async () => {
    const [doomed, kept] = [await m2mToken(m2m), await m2mToken(m2m)];
    await everywhere(doomed, 200);
    const res = await form(m2m, { token: doomed, token_type_hint: 'access_token' }, '/token/revocation');
    expect(res.status).to.equal(200);
    await everywhere(doomed, 401);
    await everywhere(kept, 200);
  });

  it('a client cannot revoke or introspect another client’s token (no oracle)', async () => {
    const token = await m2mToken(m2m);
    expect((await form(other, { token }, '/token/revocation')).status).to.equal(200);
    await everywhere(token, 200);
    const foreign = (await (await form(other, { token }, '/token/introspection')).json()) as {
      active: boolean;
    };
    expect(foreign).to.deep.equal({ active: false });
    const own = (await (await form(m2m, { token }, '/token/introspection')).json()) as Record<
      string,
      unknown
    >;
    expect(own).to.include({
      active: true,
      client_id: m2m.client_id,
      sub: m2m.client_id,
      scope: 'vectors:read',
    });
    await form(m2m, { token }, '/token/revocation');
    expect(await (await form(m2m, { token }, '/token/introspection')).json()).to.deep.equal({
      active: false,
    });
    expect(await (await form(m2m, { token: 'not-a-token' }, '/token/introspection')).json()).to.deep.equal({
      active: false,
    });
  });

  // oidc-provider refuses every JWT at both endpoints and renders the refusal as an HTML page for a
  // client that prefers HTML: the refusal is recognised by its error class, not by a JSON body.
  it('a client that prefers HTML still gets the RFC answers for its JWT access token', async () => {
    const token = await m2mToken(m2m);
    const own = await form(m2m, { token }, '/token/introspection', 'text/html');
    expect(own.status).to.equal(200);
    expect(await own.json()).to.include({ active: true, client_id: m2m.client_id });
    expect((await form(m2m, { token }, '/token/revocation', 'text/html')).status).to.equal(200);
    await everywhere(token, 401);
  });

  it('revocation and introspection answer the same under any letter case and with a trailing slash', async () => {
    const token = await m2mToken(m2m);
    const own = await form(m2m, { token }, '/Token/Introspection/');
    expect(await own.json()).to.include({ active: true });
    expect((await form(m2m, { token }, '/TOKEN/REVOCATION/')).status).to.equal(200);
    await everywhere(token, 401);
    expect(await (await form(m2m, { token }, '/token/introspection')).json()).to.deep.equal({
      active: false,
    });
  });

  it('RFC 7009 on a refresh token revokes the grant’s access tokens', async () => {
    const { tokens } = await userWithTokens();
    await everywhere(tokens.access_token, 200);
    expect(
      (
        await form(
          app,
          { token: tokens.refresh_token, token_type_hint: 'refresh_token' },
          '/token/revocation',
        )
      ).status,
    ).to.equal(200);
    await everywhere(tokens.access_token, 401);
  });

  it('refresh-token reuse revokes the grant’s access tokens', async () => {
    const { tokens } = await userWithTokens();
    const rotated = (await (
      await redeem(stack.server, app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    ).json()) as {
      access_token: string;
    };
    await everywhere(rotated.access_token, 200);
    expect(
      (await redeem(stack.server, app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }))
        .status,
    ).to.equal(400);
    await everywhere(rotated.access_token, 401);
    await everywhere(tokens.access_token, 401);
  });

  it('an app removed on the account page loses its tokens; the user’s other grants keep theirs', async () => {
    const user = await userWithTokens();
    const second = await stack.server.createClient({
      client_name: 'second app',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      scope: 'openid vectors:read',
    });
    const pkce = newPkce();
    const consentPage = await user.browser.get(
      authorizationRequest({ client_id: second.client_id, redirectUri }, {}, pkce),
    );
    const back = await consent(user.browser, consentPage, 'allow');
    const secondTokens = (await (
      await redeem(stack.server, second, {
        grant_type: 'authorization_code',
        code: back.leftTo!.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
      })
    ).json()) as { access_token: string };

    const account = await user.browser.get('/account');
    const grantId = JSON.parse(Buffer.from(user.tokens.access_token.split('.')[1]!, 'base64url').toString())
      .grant_id as string;
    expect(grantId).to.be.a('string');
    await user.browser.post(
      formAction(account.html, /apps\/revoke/),
      { grant: grantId, confirmed: 'yes' },
      account,
    );
    await everywhere(user.tokens.access_token, 401);
    await everywhere(secondTokens.access_token, 200);
  });

  it('sign out everywhere, password reset and admin disable kill every token of the user only', async () => {
    const bystander = await userWithTokens();
    const a = await userWithTokens();
    const account = await a.browser.get('/account');
    await a.browser.post('/account/sign-out-everywhere', { confirmed: 'yes' }, account);
    await everywhere(a.tokens.access_token, 401);

    const b = await userWithTokens();
    await b.browser.post('/forgot-password', { email: b.email }, await b.browser.get('/forgot-password'));
    const mail = await stack.sink.waitFor(b.email, /Reset your password/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/reset-password`));
    const resetPage = await b.browser.get(link.pathname + link.search);
    await b.browser.post(
      '/reset-password',
      { token: link.searchParams.get('token')!, password: 'a brand new passphrase' },
      resetPage,
    );
    await everywhere(b.tokens.access_token, 401);

    const c = await userWithTokens();
    const sub = JSON.parse(Buffer.from(c.tokens.access_token.split('.')[1]!, 'base64url').toString())
      .sub as string;
    expect((await stack.server.admin('POST', `/admin/users/${sub}/disable`)).status).to.equal(204);
    await everywhere(c.tokens.access_token, 401);

    await everywhere(bystander.tokens.access_token, 200);
  });

  it('a new token issued right after a subject-wide revocation works', async () => {
    const user = await userWithTokens();
    const account = await user.browser.get('/account');
    await user.browser.post('/account/sign-out-everywhere', { confirmed: 'yes' }, account);
    const fresh = await codeFlow(user.browser, user.email, user.password);
    await everywhere(user.tokens.access_token, 401);
    await everywhere(fresh.access_token, 200);
  });

  it('deleting a client kills its tokens; other clients keep theirs', async () => {
    const doomedClient = await stack.server.createClient({
      client_name: 'doomed',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const token = await m2mToken(doomedClient);
    const bystander = await m2mToken(other);
    await everywhere(token, 200);
    expect((await stack.server.admin('DELETE', `/admin/clients/${doomedClient.client_id}`)).status).to.equal(
      204,
    );
    await everywhere(token, 401);
    await everywhere(bystander, 200);
  });
});
