import { createCappedFetch } from '@vectorauth/shared';
import * as oidc from 'openid-client';
import {
  type UpstreamChecks,
  UpstreamError,
  type UpstreamIdentity,
  type UpstreamProvider,
  type UpstreamProviderId,
} from './upstream-provider.ts';

/** Plain http is allowed only for a loopback stand-in (tests, local development). */
export const isLoopbackHttp = (url: URL) =>
  url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** Every request to an upstream provider (discovery, JWKS, token, API): at most 1 MiB, 10 s. */
export const upstreamFetch = createCappedFetch({ maxBytes: 1024 * 1024, timeoutMs: 10_000 });

/**
 * An OpenID Connect provider through openid-client: discovery (once, retried after a failure),
 * PKCE (S256), `state`, `nonce`, and the ID token validated (issuer, audience, signature, expiry,
 * nonce). The identity is read from the ID token's claims; `subjectOf` picks the stable subject,
 * `emailVerifiedOf` decides whether the provider vouches for the e-mail.
 */
export function createOidcUpstream(options: {
  id: UpstreamProviderId;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  subjectOf?: (claims: oidc.IDToken) => string | undefined;
  /** Whether the ID token proves its `email` (default: `email_verified: true`, as Google sends). */
  emailVerifiedOf?: (claims: oidc.IDToken) => boolean;
}): UpstreamProvider {
  const issuer = new URL(options.issuer);
  let configuration: Promise<oidc.Configuration> | undefined;
  const configured = () => {
    configuration ??= oidc
      .discovery(issuer, options.clientId, options.clientSecret, undefined, {
        execute: isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [],
        [oidc.customFetch]: upstreamFetch,
      })
      .catch((err: unknown) => {
        configuration = undefined;
        throw new UpstreamError('discovery_failed', { cause: err });
      });
    return configuration;
  };
  const subjectOf = options.subjectOf ?? ((claims) => claims.sub);
  const emailVerifiedOf = options.emailVerifiedOf ?? ((claims) => claims.email_verified === true);

  return {
    id: options.id,
    label: options.label,
    async start(redirectUri) {
      const config = await configured();
      const checks: UpstreamChecks = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: options.scope ?? 'openid email profile',
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce!,
      });
      return { url: url.href, checks };
    },
    async finish(currentUrl, checks): Promise<UpstreamIdentity> {
      const config = await configured();
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        throw new UpstreamError(
          err instanceof Error && 'code' in err ? String(err.code) : 'token_exchange_failed',
          {
            cause: err,
          },
        );
      }
      const subject = claims ? subjectOf(claims) : undefined;
      if (!claims || !subject) throw new UpstreamError('no_subject');
      const email = typeof claims.email === 'string' ? claims.email : undefined;
      const amr = Array.isArray(claims.amr) ? claims.amr.filter((m) => typeof m === 'string') : undefined;
      return {
        provider: options.id,
        subject,
        email,
        emailVerified: email !== undefined && emailVerifiedOf(claims),
        ...(amr ? { amr } : {}),
      };
    },
  };
}
