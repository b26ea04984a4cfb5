import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import type { Adapter, AsymmetricSigningAlgorithm, Configuration, FindAccount, JWK } from 'oidc-provider';
import { ANONYMOUS_MARK } from '../clients/anonymous-registration-policy.ts';
import { cimdFeature } from '../clients/metadata-documents/cimd-feature.ts';
import type { FetchLike } from '../clients/metadata-documents/guarded-fetch.ts';
import type { AuthServerConfig, TokenLifetimes } from '../config.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { PageRenderer } from '../pages/renderer.ts';
import { ACR_VALUES } from './acr-values.ts';
import { loadExistingGrant } from './load-existing-grant.ts';
import { renderErrorPage, rpInitiatedLogoutFeature } from './provider-pages.ts';
import { registrationFeatures } from './registration-features.ts';
import { createResourceServers } from './resource-servers.ts';
import { stepUpPolicy } from './step-up-policy.ts';
import { introspectionAllowedPolicy, revocationAllowedPolicy } from './token-access-policies.ts';
import { exchangedActors } from './token-exchange.ts';

export interface ProviderConfigurationDeps {
  config: AuthServerConfig;
  adapter: new (model: string) => Adapter;
  /** The published signing keys; a change of key set builds a new configuration (and Provider). */
  keySet: KeySet;
  findAccount: FindAccount;
  outboundFetch: FetchLike;
  pages: PageRenderer;
}

/**
 * The one place that builds oidc-provider's configuration. Signing follows the key set: access
 * tokens are signed by the `current` key (pinned by kid), ID tokens by the first key of the
 * client's algorithm (`current` comes first), and every published key's algorithm stays enabled
 * so keys of an earlier algorithm remain valid while they are published.
 */
export function buildProviderConfiguration(deps: ProviderConfigurationDeps): Configuration {
  const { config, adapter, keySet, findAccount, outboundFetch, pages } = deps;
  const signingAlg = keySet.current.alg as AsymmetricSigningAlgorithm;
  return {
    adapter,
    ...signingConfiguration(keySet),
    cookies: { keys: [...config.cookieKeys] },
    scopes: ['openid', 'offline_access', 'email', ...VECTOR_SCOPE_NAMES],
    // How the person signed in (RFC 8176 `amr`, our `acr` classes), in every ID token.
    claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'] },
    acrValues: ACR_VALUES,
    ...clientConfiguration(signingAlg),
    responseTypes: ['code'],
    // `upstream`: our own "Continue with <provider>" from the sign-up page (a provider id, nothing else).
    // Only a configured provider's id is acted on (interaction-routes.ts); anything else is ignored.
    extraParams: ['upstream'],
    pkce: { required: () => true },
    features: features(deps, signingAlg),
    loadExistingGrant,
    clientBasedCORS: publicClientCors,
    ttl: ttl(config.tokens),
    rotateRefreshToken: true,
    extraTokenClaims,
    findAccount,
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: stepUpPolicy(config.requireMfa),
    },
    renderError: renderErrorPage(pages),
    fetch: outboundFetch as NonNullable<Configuration['fetch']>,
  };
}

/** The published keys, and every algorithm among them enabled for ID tokens and JWT responses. */
function signingConfiguration(keySet: KeySet): Pick<Configuration, 'jwks' | 'enabledJWA'> {
  const algs = keySet.algs as AsymmetricSigningAlgorithm[];
  return {
    jwks: { keys: keySet.privateJwks as JWK[] },
    enabledJWA: {
      idTokenSigningAlgValues: algs,
      authorizationSigningAlgValues: algs,
    },
  };
}

/** Our one extra client property (`first_party`) and the defaults of a registered client. */
function clientConfiguration(
  signingAlg: AsymmetricSigningAlgorithm,
): Pick<Configuration, 'extraClientMetadata' | 'clientDefaults'> {
  return {
    extraClientMetadata: {
      properties: ['first_party', ANONYMOUS_MARK],
      validator(_ctx, key, value) {
        if (value !== undefined && typeof value !== 'boolean') {
          throw new Error(`${key} must be a boolean`);
        }
      },
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: signingAlg,
    },
  };
}

/** The endpoints enabled, with our policies; the vector API as the one resource server (RFC 8707). */
function features(
  { config, keySet, pages }: ProviderConfigurationDeps,
  signingAlg: AsymmetricSigningAlgorithm,
): Configuration['features'] {
  const resources = createResourceServers({
    vectorApiUrl: config.vectorApiUrl,
    accessTokenTtl: config.tokens.accessTokenTtl,
    signingAlg,
    signingKid: keySet.current.kid,
  });
  return {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: introspectionAllowedPolicy },
    revocation: { enabled: true, allowedPolicy: revocationAllowedPolicy },
    resourceIndicators: { enabled: true, ...resources },
    ...registrationFeatures(),
    clientIdMetadataDocument: cimdFeature(config.cimd, { production: config.nodeEnv === 'production' }),
    rpInitiatedLogout: rpInitiatedLogoutFeature(pages),
  };
}

/**
 * CORS on the OAuth endpoints: only public clients (single-page apps) from the origins of their
 * own redirect URIs; a confidential client never calls from a browser. Never `*`.
 */
const publicClientCors: NonNullable<Configuration['clientBasedCORS']> = (ctx, origin, client) =>
  origin !== 'null' &&
  (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
  (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin);

/** Lifetimes of every model, from the configuration (a grant lives as long as its refresh token). */
function ttl(tokens: TokenLifetimes): Configuration['ttl'] {
  return {
    AccessToken: tokens.accessTokenTtl,
    ClientCredentials: tokens.accessTokenTtl,
    AuthorizationCode: tokens.authorizationCodeTtl,
    RefreshToken: tokens.refreshTokenTtl,
    Session: tokens.sessionTtl,
    Grant: tokens.refreshTokenTtl,
    Interaction: 3600,
    IdToken: tokens.idTokenTtl,
  };
}

/**
 * RFC 9068 allows more claims: the grant (for grant-wide revocation), a precise issue time and,
 * for a token exchanged by an agent (RFC 8693), who acts (`act`).
 */
const extraTokenClaims: Configuration['extraTokenClaims'] = (_ctx, token) => ({
  ...('grantId' in token && token.grantId ? { grant_id: token.grantId } : {}),
  ...(exchangedActors.has(token) ? { act: exchangedActors.get(token) } : {}),
  iat_ms: Date.now(),
});
