import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { type BrowserSession, formAction, type Page } from './browser-session.ts';
import type { SmtpSink } from './smtp-sink.ts';
import type { TestAuthServer } from './test-auth-server.ts';

export interface Pkce {
  verifier: string;
  challenge: string;
}

export const newPkce = (): Pkce => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Signs up through the pages, opens the verification mail from the sink and confirms it. */
export async function signUpVerified(
  browser: BrowserSession,
  sink: SmtpSink,
  email: string,
  password: string,
): Promise<void> {
  const form = await browser.get('/signup');
  const done = await browser.post('/signup', { email, password }, form);
  expect(done.status, done.html).to.equal(200);
  const mail = await sink.waitFor(email, /Confirm your e-mail/);
  const link = new URL(sink.linkIn(mail, `${browser.origin}/verify-email`));
  const confirm = await browser.get(link.pathname + link.search);
  const verified = await browser.post('/verify-email', { token: link.searchParams.get('token')! }, confirm);
  expect(verified.html).to.contain('E-mail address confirmed');
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/auth?${new URLSearchParams({ response_type: 'code', state: randomBytes(8).toString('hex'), ...params })}`;
}

/** Signs in on an interaction page (the page must be the sign-in form). */
export function signIn(browser: BrowserSession, page: Page, email: string, password: string): Promise<Page> {
  return browser.post(formAction(page.html, /\/login$/), { email, password }, page);
}

/** Answers a consent page. */
export function consent(browser: BrowserSession, page: Page, decision: 'allow' | 'deny'): Promise<Page> {
  return browser.post(formAction(page.html, /\/consent$/), { decision }, page);
}

/** Redeems a code at the token endpoint with client_secret_basic. */
export function redeem(
  server: TestAuthServer,
  client: { client_id: string; client_secret: string },
  fields: Record<string, string>,
): Promise<Response> {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields),
  });
}

/**
 * A public client's request at the token endpoint (no secret: `client_id` in the body), e.g. a
 * code redeemed with its PKCE verifier or a refresh; `headers` add a DPoP proof.
 */
export function publicTokenRequest(
  server: TestAuthServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
}

/** Presses "Yes, sign me out" on oidc-provider's logout confirmation page, with the browser's cookies. */
export function confirmLogout(browser: BrowserSession, confirmPage: Page, xsrf: string): Promise<Response> {
  return fetch(new URL(formAction(confirmPage.html, /\/session\/end\/confirm$/), browser.origin), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
}

/**
 * The authorization request URL of `client` with a PKCE (S256) challenge: scope `openid
 * vectors:read` unless `params` say otherwise; `pkce` when the test redeems the code itself.
 */
export function authorizationRequest(
  client: { client_id: string; redirectUri: string },
  params: Record<string, string> = {},
  pkce: Pkce = newPkce(),
): string {
  return authorizeUrl({
    client_id: client.client_id,
    redirect_uri: client.redirectUri,
    scope: 'openid vectors:read',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...params,
  });
}
