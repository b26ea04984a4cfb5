import type { AuthServerConfig } from '../config.ts';
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
export function createUpstreamProviders(config: AuthServerConfig): UpstreamProvider[] {
  const providers: UpstreamProvider[] = [];
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
    providers.push(
      createOidcUpstream({
        id: 'google',
        label: 'Google',
        issuer: config.GOOGLE_ISSUER,
        clientId: config.GOOGLE_CLIENT_ID,
        clientSecret: config.GOOGLE_CLIENT_SECRET,
      }),
    );
  }
  if (config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET) {
    providers.push(
      createGitHubUpstream({
        clientId: config.GITHUB_CLIENT_ID,
        clientSecret: config.GITHUB_CLIENT_SECRET,
        authorizeUrl: config.GITHUB_AUTHORIZE_URL,
        tokenUrl: config.GITHUB_TOKEN_URL,
        apiUrl: config.GITHUB_API_URL,
      }),
    );
  }
  if (config.MICROSOFT_CLIENT_ID && config.MICROSOFT_CLIENT_SECRET) {
    providers.push(
      createOidcUpstream({
        id: 'microsoft',
        label: 'Microsoft',
        issuer:
          config.MICROSOFT_ISSUER ?? `https://login.microsoftonline.com/${config.MICROSOFT_TENANT}/v2.0`,
        clientId: config.MICROSOFT_CLIENT_ID,
        clientSecret: config.MICROSOFT_CLIENT_SECRET,
        subjectOf: (claims) =>
          typeof claims.tid === 'string' && typeof claims.oid === 'string'
            ? `${claims.tid}:${claims.oid}`
            : undefined,
        emailVerifiedOf: microsoftEmailVerified,
      }),
    );
  }
  if (config.LINKEDIN_CLIENT_ID && config.LINKEDIN_CLIENT_SECRET) {
    providers.push(
      createOidcUpstream({
        id: 'linkedin',
        label: 'LinkedIn',
        issuer: config.LINKEDIN_ISSUER,
        clientId: config.LINKEDIN_CLIENT_ID,
        clientSecret: config.LINKEDIN_CLIENT_SECRET,
      }),
    );
  }
  return providers;
}
