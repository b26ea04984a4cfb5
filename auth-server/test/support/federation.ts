import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import type { BrowserSession, Page } from './browser-session.ts';
import { type GitHubStandIn, startGitHubStandIn } from './github-stand-in.ts';
import { actAtStandIn, type OidcStandIn, startOidcStandIn } from './oidc-stand-in.ts';
import { type AuthStack, type AuthStackOptions, useAuthStack } from './use-auth-stack.ts';

export interface FederationStack extends AuthStack {
  readonly oidc: OidcStandIn;
  readonly github: GitHubStandIn;
}

const OIDC_PROVIDERS = ['google', 'microsoft', 'linkedin'] as const;

/**
 * useAuthStack (with an SMTP sink) whose Google, Microsoft, LinkedIn and GitHub all point at local
 * stand-ins, started before the server and closed after it.
 */
export function useFederationStack(options: Omit<AuthStackOptions, 'env' | 'smtp'> = {}): FederationStack {
  let oidc: OidcStandIn | undefined;
  let github: GitHubStandIn | undefined;
  const env: Record<string, string> = {};
  before(async () => {
    const authPort = await freePort();
    const issuer = `http://localhost:${authPort}`;
    oidc = await startOidcStandIn(
      await freePort(),
      OIDC_PROVIDERS.map((id) => ({
        client_id: `${id}-client`,
        client_secret: `${id}-client-secret`,
        redirect_uri: `${issuer}/federated/callback/${id}`,
      })),
      { entraClients: ['microsoft-client'] },
    );
    github = await startGitHubStandIn({
      client_id: 'github-client',
      client_secret: 'github-client-secret',
    });
    Object.assign(env, {
      AUTH_PORT: String(authPort),
      GITHUB_CLIENT_ID: 'github-client',
      GITHUB_CLIENT_SECRET: 'github-client-secret',
      GITHUB_AUTHORIZE_URL: `${github.url}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${github.url}/login/oauth/access_token`,
      GITHUB_API_URL: github.url,
    });
    for (const id of OIDC_PROVIDERS) {
      const key = id.toUpperCase();
      env[`${key}_CLIENT_ID`] = `${id}-client`;
      env[`${key}_CLIENT_SECRET`] = `${id}-client-secret`;
      env[`${key}_ISSUER`] = oidc.issuer;
    }
  });
  const stack = useAuthStack({ ...options, smtp: true, env });
  after(async () => {
    await Promise.all([oidc?.close(), github?.close()]);
  });
  const started = <T>(part: T | undefined, name: string): T => {
    if (!part) throw new Error(`useFederationStack: no ${name} stand-in yet (use it inside a hook or test)`);
    return part;
  };
  return Object.defineProperties(stack, {
    oidc: { get: () => started(oidc, 'OIDC') },
    github: { get: () => started(github, 'GitHub') },
  }) as FederationStack;
}

/** Follows a "Continue with"/"Link" start in `browser` to the provider; returns its authorization URL. */
export function upstreamUrl(started: Page): URL {
  expect(started.leftTo, started.html).to.be.instanceOf(URL);
  return started.leftTo!;
}

/** Clicks "Continue with <provider>" on a sign-in page; returns the provider's authorization URL. */
export async function continueWith(
  browser: BrowserSession,
  signInPage: Page,
  provider: string,
): Promise<URL> {
  const href = new RegExp(`href="(/interaction/[^"]+/federated/${provider})"`).exec(signInPage.html)?.[1];
  expect(href, `a "Continue with" link for ${provider}`).to.be.a('string');
  return upstreamUrl(await browser.get(href!));
}

/** The stand-in answers: the person signs in as `login` there (or cancels). */
export function atOidcProvider(url: URL, login: string, cancel = false): Promise<URL> {
  return actAtStandIn(url, login, { cancel });
}

/** GitHub's stand-in answers at once for whoever is `github.next`. */
export async function atGitHub(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  return new URL(res.headers.get('location') ?? '');
}

/** Back at our callback in `browser`. */
export const back = (browser: BrowserSession, callback: URL) =>
  browser.get(callback.pathname + callback.search);
