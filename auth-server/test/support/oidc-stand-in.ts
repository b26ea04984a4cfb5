import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';
import { BrowserSession, type Page } from './browser-session.ts';
import { createMemoryAdapter } from './memory-adapter.ts';

export interface StandInUser {
  email?: string;
  email_verified?: boolean;
  tid?: string;
  oid?: string;
}

export interface OidcStandIn {
  issuer: string;
  /** Claims per login name (the stand-in's dev login form takes any name as the subject). */
  users: Map<string, StandInUser>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (another oidc-provider) on 127.0.0.1, standing in for Google,
 * Microsoft and LinkedIn: dev interactions (any login name signs in), ID tokens carrying `email`,
 * `email_verified` (and `tid`/`oid` for Microsoft) of the user set in `users`.
 */
export async function startOidcStandIn(
  port: number,
  clients: { client_id: string; client_secret: string; redirect_uri: string }[],
): Promise<OidcStandIn> {
  const issuer = `http://127.0.0.1:${port}`;
  const users = new Map<string, StandInUser>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    clients: clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [c.redirect_uri],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['tid', 'oid'] },
    conformIdTokenClaims: false,
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'stand-in', alg: 'RS256', use: 'sig' }] },
    ttl: {
      Interaction: 600,
      Session: 600,
      Grant: 600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['stand-in cookie key, not a secret, tests only'] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, ...users.get(sub) }),
    }),
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    users,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * Plays the person at the stand-in: opens the authorization URL, signs in as `login` (or cancels),
 * consents, and returns where the stand-in sent the browser back to (our callback).
 */
export async function actAtStandIn(
  authorizationUrl: URL,
  login: string,
  options: { cancel?: boolean; upstream?: BrowserSession } = {},
): Promise<URL> {
  const upstream = options.upstream ?? new BrowserSession(authorizationUrl.origin);
  let page: Page = await upstream.get(authorizationUrl.pathname + authorizationUrl.search);
  for (let step = 0; step < 4 && !page.leftTo; step++) {
    if (options.cancel) {
      page = await upstream.get(`${new URL(page.url).pathname}/abort`);
    } else if (page.html.includes('name="login"')) {
      page = await upstream.post(new URL(page.url).pathname, { prompt: 'login', login, password: 'x' });
    } else {
      page = await upstream.post(new URL(page.url).pathname, { prompt: 'consent' });
    }
  }
  if (!page.leftTo)
    throw new Error(`the stand-in did not send the browser back: ${page.status} ${page.html}`);
  return page.leftTo;
}
