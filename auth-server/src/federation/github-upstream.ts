import * as oidc from 'openid-client';
import { isLoopbackHttp, upstreamFetch } from './oidc-upstream.ts';
import { type UpstreamChecks, UpstreamError, type UpstreamProvider } from './upstream-provider.ts';

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub: OAuth 2.0 (no OpenID Connect) with `state` and PKCE through openid-client, then the
 * REST API: `/user` for the stable numeric id, `/user/emails` for the primary address, which is
 * used only when GitHub says it is verified.
 */
export function createGitHubUpstream(options: {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string;
}): UpstreamProvider {
  const authorize = new URL(options.authorizeUrl);
  const config = new oidc.Configuration(
    {
      issuer: authorize.origin,
      authorization_endpoint: options.authorizeUrl,
      token_endpoint: options.tokenUrl,
    },
    options.clientId,
    options.clientSecret,
  );
  if (isLoopbackHttp(authorize) || isLoopbackHttp(new URL(options.tokenUrl)))
    oidc.allowInsecureRequests(config);
  config[oidc.customFetch] = upstreamFetch;
  const api = async <T>(path: string, accessToken: string): Promise<T> => {
    const res = await upstreamFetch(`${options.apiUrl.replace(/\/$/, '')}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'vectorauth',
      },
    }).catch((err: unknown) => {
      throw new UpstreamError('api_unreachable', { cause: err });
    });
    if (!res.ok) throw new UpstreamError(`api_status_${res.status}`);
    return (await res.json()) as T;
  };

  return {
    id: 'github',
    label: 'GitHub',
    async start(redirectUri) {
      const checks: UpstreamChecks = { state: oidc.randomState(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'read:user user:email',
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
        state: checks.state,
      });
      return { url: url.href, checks };
    },
    async finish(currentUrl, checks) {
      let accessToken: string;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
        });
        accessToken = tokens.access_token;
      } catch (err) {
        throw new UpstreamError(
          err instanceof Error && 'code' in err ? String(err.code) : 'token_exchange_failed',
          {
            cause: err,
          },
        );
      }
      const user = await api<{ id?: unknown }>('/user', accessToken);
      if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new UpstreamError('no_subject');
      const emails = await api<GitHubEmail[]>('/user/emails', accessToken);
      const primary = Array.isArray(emails) ? emails.find((e) => e.primary && e.verified) : undefined;
      return {
        provider: 'github',
        subject: String(user.id),
        email: typeof primary?.email === 'string' ? primary.email : undefined,
        emailVerified: primary !== undefined,
      };
    },
  };
}
