import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { waitFor } from '../../../shared/test/support/wait-for.ts';
import { type BrowserSession, formAction, type Page } from './browser-session.ts';
import { authorizationRequest, consent, newPkce, redeem, signIn, signUpVerified } from './code-flow.ts';
import type { SmtpSink } from './smtp-sink.ts';
import type { TestAuthServer } from './test-auth-server.ts';
import { testEnv } from './test-env.ts';

export const PASSWORD = 'correct horse battery staple';

/** A unique address per test: the database is shared by every test file. */
export const newEmail = (tag = 'user') => `${tag}-${randomUUID()}@example.com`;

/** A direct connection to the auth server's database, for arranging (expiry) and checking state. */
export function openDatabase(): pg.Pool {
  return new pg.Pool({ connectionString: testEnv().databaseUrl, max: 4 });
}

export async function accountRow(
  db: pg.Pool,
  email: string,
): Promise<
  { id: string; password_hash: string; email_verified: boolean; last_sign_in_at: Date | null } | undefined
> {
  const { rows } = await db.query(
    'select id, password_hash, email_verified, last_sign_in_at from account where email = $1',
    [email.toLowerCase()],
  );
  return rows[0];
}

/** Rows oidc-provider keeps for an account (grants, sessions, tokens), optionally of one client only. */
export async function countModels(
  db: pg.Pool,
  model: string,
  accountId: string,
  clientId?: string,
): Promise<number> {
  const { rows } = await db.query(
    `select count(*)::int as n from oidc_model where model = $1 and payload->>'accountId' = $2
       and ($3::text is null or payload->>'clientId' = $3)`,
    [model, accountId, clientId ?? null],
  );
  return rows[0].n as number;
}

/** Polls `check` (up to ~10 s) for work the server does just after answering. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const found = await waitFor(what, async () => {
    const value = await check();
    return value === undefined ? undefined : { value };
  });
  return (found as { value: T }).value;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirectUri: string;
}

/** A third-party (consent-asking) client with refresh tokens, unless `extra` says otherwise. */
export async function createAppClient(
  server: TestAuthServer,
  extra: Record<string, unknown> = {},
): Promise<TestClient> {
  const redirectUri = `https://app-${randomUUID().slice(0, 8)}.example/cb`;
  const created = await server.createClient({
    client_name: 'Notes App',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access email vectors:read vectors:write',
    ...extra,
  });
  return { ...created, redirectUri };
}

/** Goes to /account, signs in there (the page must answer with the sign-in form), returns the account page. */
export async function signInToAccount(
  browser: BrowserSession,
  email: string,
  password = PASSWORD,
): Promise<Page> {
  const login = await browser.get('/account');
  expect(login.html, 'the account page asks to sign in').to.contain('action="/interaction/');
  const page = await signIn(browser, login, email, password);
  expect(page.status, page.html).to.equal(200);
  expect(page.html).to.contain('Connected apps');
  return page;
}

/** A verified account, signed in on its account page in `browser`. */
export async function newSignedInAccount(
  browser: BrowserSession,
  sink: SmtpSink,
  email = newEmail(),
): Promise<{ email: string; page: Page }> {
  await signUpVerified(browser, sink, email, PASSWORD);
  return { email, page: await signInToAccount(browser, email) };
}

/**
 * Runs an authorization request to the end: signs in when asked, allows consent when asked, and
 * returns the code (with its verifier) at the client's redirect_uri plus the pages seen on the way.
 */
export async function authorize(
  browser: BrowserSession,
  client: TestClient,
  options: { scope?: string; email?: string; password?: string; prompt?: string } = {},
): Promise<{ code: string; verifier: string; sawConsent: boolean; sawSignIn: boolean }> {
  const pkce = newPkce();
  let page = await browser.get(
    authorizationRequest(
      client,
      {
        scope: options.scope ?? 'openid offline_access vectors:read',
        ...(options.prompt ? { prompt: options.prompt } : {}),
      },
      pkce,
    ),
  );
  let sawSignIn = false;
  let sawConsent = false;
  if (!page.leftTo && /action="[^"]*\/login"/.test(page.html)) {
    sawSignIn = true;
    page = await signIn(browser, page, options.email ?? '', options.password ?? PASSWORD);
  }
  if (!page.leftTo && /action="[^"]*\/consent"/.test(page.html)) {
    sawConsent = true;
    page = await consent(browser, page, 'allow');
  }
  expect(page.leftTo?.href, page.html).to.be.a('string');
  expect(page.leftTo!.origin + page.leftTo!.pathname).to.equal(client.redirectUri);
  const code = page.leftTo!.searchParams.get('code');
  expect(code, page.leftTo!.href).to.be.a('string');
  return { code: code!, verifier: pkce.verifier, sawConsent, sawSignIn };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/**
 * authorize() and redeem the code: an access and a refresh token. `offline_access` is only granted
 * with `prompt=consent` (OpenID Connect Core 11), so that is the default here.
 */
export async function obtainTokens(
  server: TestAuthServer,
  browser: BrowserSession,
  client: TestClient,
  options: { scope?: string; email?: string; password?: string; prompt?: string } = {},
): Promise<Tokens> {
  const { code, verifier } = await authorize(browser, client, { prompt: 'consent', ...options });
  const res = await redeem(server, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirectUri,
    code_verifier: verifier,
  });
  expect(res.status, await res.clone().text()).to.equal(200);
  const tokens = (await res.json()) as Tokens;
  expect(tokens.refresh_token).to.be.a('string');
  return tokens;
}

export function refresh(server: TestAuthServer, client: TestClient, refreshToken: string): Promise<Response> {
  return redeem(server, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** The grant ids listed with a "Revoke" button on an account page. */
export function revokableGrants(accountPage: Page): string[] {
  return [...accountPage.html.matchAll(/name="grant" value="([^"]+)"/g)].map((m) => m[1]!);
}

/** Submits a page form found by its action. */
export function submit(browser: BrowserSession, page: Page, action: RegExp, fields: Record<string, string>) {
  return browser.post(formAction(page.html, action), fields, page);
}
