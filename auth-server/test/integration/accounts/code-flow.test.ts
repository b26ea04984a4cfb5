import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { BrowserSession } from '../../support/browser-session.ts';
import {
  authorizationRequest,
  consent,
  newPkce,
  redeem,
  signIn,
  signUpVerified,
} from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('authorization code flow with PKCE for a third-party app', () => {
  const stack = useAuthStack({ env: { REFRESH_TOKEN_REUSE_GRACE_SEC: '0' }, smtp: true });
  let client: { client_id: string; client_secret: string };
  const redirectUri = 'https://app.example/cb';
  const password = 'correct horse battery staple';

  before(async () => {
    client = await stack.server.createClient({
      client_name: '<b>Bold</b> & "Quoted" App',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access vectors:read',
    });
  });

  it('signs up, verifies, signs in, consents, redeems with PKCE, refreshes with rotation', async () => {
    const email = `user-${randomUUID()}@example.com`;
    const browser = new BrowserSession(stack.server.issuer);
    await signUpVerified(browser, stack.sink, email, password);
    const pkce = newPkce();
    const login = await browser.get(
      authorizationRequest(
        { client_id: client.client_id, redirectUri },
        { scope: 'openid offline_access vectors:read', prompt: 'consent' },
        pkce,
      ),
    );
    expect(login.html).to.contain('Sign in');
    const consentPage = await signIn(browser, login, email, password);
    expect(consentPage.html).to.contain('&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Quoted&quot; App');
    expect(consentPage.html).not.to.contain('<b>Bold</b>');
    expect(consentPage.html).to.contain('Read your vector collections');
    const back = await consent(browser, consentPage, 'allow');
    expect(back.leftTo?.origin).to.equal('https://app.example');
    expect(back.leftTo?.searchParams.get('iss')).to.equal(stack.server.issuer);
    const code = back.leftTo!.searchParams.get('code')!;

    const tokens = await redeem(stack.server, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    });
    expect(tokens.status).to.equal(200);
    const body = (await tokens.json()) as { access_token: string; refresh_token: string; id_token: string };
    expect(body.refresh_token).to.be.a('string');
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims).to.include({
      aud: stack.server.config.vectorApiUrl,
      client_id: client.client_id,
      scope: 'vectors:read',
    });

    const refreshed = await redeem(stack.server, client, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
    });
    expect(refreshed.status).to.equal(200);
    const rotated = (await refreshed.json()) as { refresh_token: string };
    expect(rotated.refresh_token).to.be.a('string').and.not.equal(body.refresh_token);

    // Reusing the spent refresh token revokes the whole grant: the rotated one dies too.
    const reuse = await redeem(stack.server, client, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
    });
    expect(reuse.status).to.equal(400);
    const after = await redeem(stack.server, client, {
      grant_type: 'refresh_token',
      refresh_token: rotated.refresh_token,
    });
    expect(after.status).to.equal(400);
  });
});
