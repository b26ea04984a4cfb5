import { expect } from 'chai';
import type { TestClient } from './accounts.ts';
import type { BrowserSession, Page } from './browser-session.ts';
import { authorizationRequest, consent, newPkce, redeem } from './code-flow.ts';
import type { AuthStack } from './use-auth-stack.ts';

/** The claims of a JWT (an ID token), unverified: the test only reads what the server put in. */
export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** Consents if asked, redeems the app's code (the stack's app): the ID token's claims. */
export async function idTokenClaims(
  stack: Pick<AuthStack, 'server' | 'client'>,
  browser: BrowserSession,
  page: Page,
  verifier: string,
): Promise<Record<string, unknown>> {
  const current =
    !page.leftTo && page.html.includes('/consent"') ? await consent(browser, page, 'allow') : page;
  const code = current.leftTo?.searchParams.get('code');
  expect(code, current.leftTo?.href ?? current.html).to.be.a('string');
  const res = await redeem(stack.server, stack.client, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: stack.client.redirectUri,
    code_verifier: verifier,
  });
  expect(res.status, await res.clone().text()).to.equal(200);
  return claimsOf(((await res.json()) as { id_token: string }).id_token);
}

/** An authorization request of the app (`client`, else the stack's) in `browser`, with `params`: the page it lands on and its verifier. */
export async function appAsks(
  stack: Pick<AuthStack, 'client'>,
  browser: BrowserSession,
  params: Record<string, string> = {},
  client: TestClient = stack.client,
): Promise<{ page: Page; verifier: string }> {
  const pkce = newPkce();
  const page = await browser.get(authorizationRequest(client, params, pkce));
  return { page, verifier: pkce.verifier };
}
