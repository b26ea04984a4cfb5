import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { newEmail } from '../../support/accounts.ts';
import { idTokenClaims } from '../../support/app-id-token.ts';
import { asksForCode, enterCode, setUpAuthenticator } from '../../support/authenticator.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, newPkce } from '../../support/code-flow.ts';
import { atOidcProvider, back, continueWith, useFederationStack } from '../../support/federation.ts';
import { offersPasskey, usePasskey } from '../../support/passkey-steps.ts';
import { SoftwarePasskey } from '../../support/software-passkey.ts';

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

  it('asks for the code after the provider, unless the provider says it used two factors itself', async () => {
    const login = `g-${randomUUID()}`;
    stack.oidc.users.set(login, { email: newEmail('fed'), email_verified: true });

    const first = await withGoogle(login);
    const fed = await idTokenClaims(stack, first.browser, first.landed, first.verifier);
    expect(fed.amr).to.deep.equal(['fed']);
    expect(fed.acr).to.equal('urn:vectorauth:acr:fed');

    // Signed in through Google, the person sets up an authenticator on the account page.
    const accountPage = await first.browser.get('/account');
    expect(accountPage.html).to.contain('Connected apps');
    const { authenticator } = await setUpAuthenticator(first.browser, accountPage);

    const second = await withGoogle(login);
    expect(asksForCode(second.landed), second.landed.html).to.equal(true);
    const done = await enterCode(second.browser, second.landed, { code: await authenticator.code() });
    const both = await idTokenClaims(stack, second.browser, done, second.verifier);
    expect(both.amr).to.deep.equal(['fed', 'otp']);
    expect(both.acr).to.equal('urn:vectorauth:acr:mfa');

    stack.oidc.users.set(login, { ...stack.oidc.users.get(login), amr: ['pwd', 'mfa'] });
    const third = await withGoogle(login);
    expect(asksForCode(third.landed), 'the provider did two factors').to.equal(false);
    const upstream = await idTokenClaims(stack, third.browser, third.landed, third.verifier);
    expect(upstream.amr).to.deep.equal(['fed', 'mfa']);
    expect(upstream.acr).to.equal('urn:vectorauth:acr:mfa');
  });

  it('a passkey is the second step after the provider too', async () => {
    const login = `g-${randomUUID()}`;
    stack.oidc.users.set(login, { email: newEmail('fed-passkey'), email_verified: true });
    const first = await withGoogle(login);
    await idTokenClaims(stack, first.browser, first.landed, first.verifier);
    const passkey = new SoftwarePasskey(stack.server.issuer);
    const added = await usePasskey(first.browser, await first.browser.get('/account'), passkey);
    expect(added.html).to.contain('The passkey was added.');

    const second = await withGoogle(login);
    expect(offersPasskey(second.landed), second.landed.html).to.equal(true);
    const done = await usePasskey(second.browser, second.landed, passkey);
    const both = await idTokenClaims(stack, second.browser, done, second.verifier);
    expect(both.amr).to.deep.equal(['fed', 'hwk', 'user', 'mfa']);
    expect(both.acr).to.equal('urn:vectorauth:acr:mfa');
  });
});
