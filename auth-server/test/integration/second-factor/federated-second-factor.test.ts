import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { newEmail } from '../../support/accounts.ts';
import { asksForCode, enterCode, setUpAuthenticator } from '../../support/authenticator.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, consent, newPkce, redeem } from '../../support/code-flow.ts';
import { atOidcProvider, back, continueWith, useFederationStack } from '../../support/federation.ts';

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('two-step sign-in after "Continue with <provider>"', function () {
  this.timeout(120_000);
  const stack = useFederationStack({ appClient: true, db: true });

  /** The app's request in a new browser, "Continue with Google" as `login`: where our callback lands, and the verifier. */
  async function withGoogle(login: string, browser = new BrowserSession(stack.server.issuer)) {
    const pkce = newPkce();
    const signInPage = await browser.get(authorizationRequest(stack.client, {}, pkce));
    const landed = await back(
      browser,
      await atOidcProvider(await continueWith(browser, signInPage, 'google'), login),
    );
    return { browser, landed, verifier: pkce.verifier };
  }

  /** Consents if asked, redeems the code: the ID token's claims. */
  async function idTokenClaims(browser: BrowserSession, page: Page, verifier: string) {
    const current =
      !page.leftTo && page.html.includes('/consent"') ? await consent(browser, page, 'allow') : page;
    const code = current.leftTo?.searchParams.get('code');
    expect(code, current.html).to.be.a('string');
    const res = await redeem(stack.server, stack.client, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: stack.client.redirectUri,
      code_verifier: verifier,
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    return claimsOf(((await res.json()) as { id_token: string }).id_token);
  }

  it('asks for the code after the provider, unless the provider says it used two factors itself', async () => {
    const login = `g-${randomUUID()}`;
    stack.oidc.users.set(login, { email: newEmail('fed'), email_verified: true });

    const first = await withGoogle(login);
    const fed = await idTokenClaims(first.browser, first.landed, first.verifier);
    expect(fed.amr).to.deep.equal(['fed']);
    expect(fed.acr).to.equal('urn:vectorauth:acr:fed');

    // Signed in through Google, the person sets up an authenticator on the account page.
    const accountPage = await first.browser.get('/account');
    expect(accountPage.html).to.contain('Connected apps');
    const { authenticator } = await setUpAuthenticator(first.browser, accountPage);

    const second = await withGoogle(login);
    expect(asksForCode(second.landed), second.landed.html).to.equal(true);
    const done = await enterCode(second.browser, second.landed, { code: await authenticator.code() });
    const both = await idTokenClaims(second.browser, done, second.verifier);
    expect(both.amr).to.deep.equal(['fed', 'otp']);
    expect(both.acr).to.equal('urn:vectorauth:acr:mfa');

    stack.oidc.users.set(login, { ...stack.oidc.users.get(login), amr: ['pwd', 'mfa'] });
    const third = await withGoogle(login);
    expect(asksForCode(third.landed), 'the provider did two factors').to.equal(false);
    const upstream = await idTokenClaims(third.browser, third.landed, third.verifier);
    expect(upstream.amr).to.deep.equal(['fed', 'mfa']);
    expect(upstream.acr).to.equal('urn:vectorauth:acr:mfa');
  });
});
