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
  /** Entra's optional "email domain owner verified" claim. */
  xms_edov?: boolean;
  /** Entra's sign-in names (never e-mail proof). */
  preferred_username?: string;
  upn?: string;
  /** How the person signed in at the provider (RFC 8176), as its ID token's `amr` says (e.g. `['pwd', 'mfa']`). */
  amr?: string[];
}

export interface OidcStandIn {
  issuer: string;
  /** Claims per login name (the stand-in's dev login form takes any name as the subject). */
  users: Map<string, StandInUser>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (another oidc-provider) on 127.0.0.1, standing in for Google,
 * Microsoft and LinkedIn: dev interactions (any login name signs in), ID tokens carrying the
 * claims of the user set in `users`. To the clients listed in `entraClients` it answers as
 * Microsoft Entra ID does: never an `email_verified` claim (whatever the user has), `email` and
 * `xms_edov` only when the user has them (both optional claims), `tid`, `oid`,
 * `preferred_username` and `upn` as set.
 */
export async function startOidcStandIn(
  port: number,
  clients: { client_id: string; client_secret: string; redirect_uri: string }[],
  options: { entraClients?: string[] } = {},
): Promise<OidcStandIn> {
  const entra = new Set(options.entraClients ?? []);
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
    claims: {
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified', 'xms_edov'],
      profile: ['tid', 'oid', 'preferred_username', 'upn'],
    },
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
    findAccount: (ctx, sub) => ({
      accountId: sub,
      claims: () => {
        const { email_verified, xms_edov, amr: _amr, ...rest } = users.get(sub) ?? {};
        return entra.has(ctx.oidc.client?.clientId ?? '')
          ? { sub, ...rest, ...(xms_edov === undefined ? {} : { xms_edov }) }
          : { sub, ...rest, ...(email_verified === undefined ? {} : { email_verified }) };
      },
    }),
  });
  // The dev login signs in with no `amr`: the user's, when set, is what the session (and so the ID token) says.
  const loginAccount = provider.Session.prototype.loginAccount;
  provider.Session.prototype.loginAccount = function withAmr(details) {
    return loginAccount.call(this, { ...details, amr: users.get(details.accountId)?.amr ?? details.amr });
  };
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
