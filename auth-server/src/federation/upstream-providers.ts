import type { UpstreamSettings } from '../config.ts';
import { createGitHubUpstream } from './github-upstream.ts';
import { microsoftEmailVerified } from './microsoft-email-verified.ts';
import { createOidcUpstream } from './oidc-upstream.ts';
import type { UpstreamProvider } from './upstream-provider.ts';

/**
 * The configured upstream providers, in the order their buttons show. A provider without both a
 * client id and a secret is left out. Microsoft's subject is `tid:oid` (tenant and object id,
 * stable and unique across tenants), never the mutable `email` or `preferred_username`; its e-mail
 * counts as verified only with Entra's `xms_edov` optional claim (see microsoft-email-verified.ts).
 */
export function createUpstreamProviders(upstreams: UpstreamSettings): UpstreamProvider[] {
  const { google, github, microsoft, linkedin } = upstreams;
  const providers: UpstreamProvider[] = [];
  if (google.clientId && google.clientSecret) {
    providers.push(
      createOidcUpstream({
        id: 'google',
        label: 'Google',
        issuer: google.issuer,
        clientId: google.clientId,
        clientSecret: google.clientSecret,
      }),
    );
  }
  if (github.clientId && github.clientSecret) {
    providers.push(
      createGitHubUpstream({
        clientId: github.clientId,
        clientSecret: github.clientSecret,
        authorizeUrl: github.authorizeUrl,
        tokenUrl: github.tokenUrl,
        apiUrl: github.apiUrl,
      }),
    );
  }
  if (microsoft.clientId && microsoft.clientSecret) {
    providers.push(
      createOidcUpstream({
        id: 'microsoft',
        label: 'Microsoft',
        issuer: microsoft.issuer ?? `https://login.microsoftonline.com/${microsoft.tenant}/v2.0`,
        clientId: microsoft.clientId,
        clientSecret: microsoft.clientSecret,
        subjectOf: (claims) =>
          typeof claims.tid === 'string' && typeof claims.oid === 'string'
            ? `${claims.tid}:${claims.oid}`
            : undefined,
        emailVerifiedOf: microsoftEmailVerified,
      }),
    );
  }
  if (linkedin.clientId && linkedin.clientSecret) {
    providers.push(
      createOidcUpstream({
        id: 'linkedin',
        label: 'LinkedIn',
        issuer: linkedin.issuer,
        clientId: linkedin.clientId,
        clientSecret: linkedin.clientSecret,
      }),
    );
  }
  return providers;
}
