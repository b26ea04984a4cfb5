import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import type { Adapter, Configuration, FindAccount, JWK } from 'oidc-provider';
import type { AuthServerConfig } from '../config.ts';
import type { PageRenderer } from '../pages/renderer.ts';
import { loadExistingGrant } from './load-existing-grant.ts';
import { registrationFeatures } from './registration-features.ts';
import { createResourceServers } from './resource-servers.ts';

export interface ProviderConfigurationDeps {
  config: AuthServerConfig;
  adapter: new (model: string) => Adapter;
  jwks: JWK[];
  findAccount: FindAccount;
  pages: PageRenderer;
}

/** The one place that builds oidc-provider's configuration. */
export function buildProviderConfiguration(deps: ProviderConfigurationDeps): Configuration {
  const { config, adapter, jwks, findAccount, pages } = deps;
  const resources = createResourceServers({
    vectorApiUrl: config.VECTOR_API_URL,
    accessTokenTtl: config.ACCESS_TOKEN_TTL,
    signingAlg: config.SIGNING_ALG,
  });
  return {
    adapter,
    jwks: { keys: jwks },
    cookies: { keys: [...config.COOKIE_KEYS] },
    scopes: ['openid', 'offline_access', 'email', ...VECTOR_SCOPE_NAMES],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    extraClientMetadata: {
      properties: ['first_party'],
      validator(_ctx, key, value) {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
          throw new Error('first_party must be a boolean');
        }
      },
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: config.SIGNING_ALG,
    },
    enabledJWA: {
      idTokenSigningAlgValues: [config.SIGNING_ALG],
      authorizationSigningAlgValues: [config.SIGNING_ALG],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: { enabled: true, ...resources },
      ...registrationFeatures(),
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = 'text/html; charset=utf-8';
          ctx.body = pages.html('logout', { form, clientName: ctx.oidc.client?.clientName });
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'text/html; charset=utf-8';
          ctx.body = pages.html('message', {
            title: 'Signed out',
            message: 'You are signed out.',
            link: { href: '/account', text: 'Sign in again' },
          });
        },
      },
    },
    loadExistingGrant,
    ttl: {
      AccessToken: config.ACCESS_TOKEN_TTL,
      ClientCredentials: config.ACCESS_TOKEN_TTL,
      AuthorizationCode: config.AUTHORIZATION_CODE_TTL,
      RefreshToken: config.REFRESH_TOKEN_TTL,
      Session: config.SESSION_TTL,
      Grant: config.REFRESH_TOKEN_TTL,
      Interaction: 3600,
      IdToken: 3600,
    },
    rotateRefreshToken: true,
    // RFC 9068 allows more claims: the grant (for grant-wide revocation) and a precise issue time.
    extraTokenClaims: (_ctx, token) => ({
      ...('grantId' in token && token.grantId ? { grant_id: token.grantId } : {}),
      iat_ms: Date.now(),
    }),
    findAccount,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = pages.html('error', {
        title: 'This request cannot be completed',
        message: `${out.error}: ${out.error_description ?? 'the request could not be completed'}`,
      });
    },
  };
}
