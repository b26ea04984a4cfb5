import { isDatabaseUnavailable, type Logger, type Redis } from '@vectorauth/shared';
import { type Adapter, type AsymmetricSigningAlgorithm, type FindAccount, Provider } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientCacheSync } from '../clients/client-cache-sync.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { ConsoleInitialAccessTokens } from '../clients/console-initial-access-tokens.ts';
import type { FetchLike } from '../clients/metadata-documents/guarded-fetch.ts';
import type { AuthServerConfig } from '../config.ts';
import { secureCookies } from '../https/secure-cookies.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { PageRenderer } from '../pages/renderer.ts';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { Revocations } from '../revocation/revocations.ts';
import type { AccountSessions } from './account-sessions.ts';
import { installAnonymousRegistration } from './anonymous-registration.ts';
import { reuseClientInstances } from './client-instances.ts';
import { installEndpointActions } from './endpoint-actions.ts';
import { installJwksCacheControl } from './jwks-cache-control.ts';
import type { OauthMetrics } from './oauth-metrics.ts';
import { createOauthOutageAnswers } from './oauth-unavailable.ts';
import { buildProviderConfiguration } from './provider-configuration.ts';
import type { RefreshRotation } from './refresh-rotation.ts';
import { installRegistrationHooks } from './registration-hooks.ts';
import { createResourceServers } from './resource-servers.ts';
import { registerTokenExchange } from './token-exchange.ts';

export interface ProviderFactoryDeps {
  config: AuthServerConfig;
  adapter: new (model: string) => Adapter;
  findAccount: FindAccount;
  /** What oidc-provider fetches for clients (their metadata documents). */
  outboundFetch: FetchLike;
  pages: PageRenderer;
  logger: Logger;
  redis: Redis;
  audit: AuditLog;
  oauthMetrics: OauthMetrics;
  rotation: RefreshRotation;
  revocations: Revocations;
  ownTokens: OwnAccessTokens;
  clients: ClientRegistry;
  sessions: AccountSessions;
  /** Console initial access tokens: an app registered with one belongs to its developer. */
  initialAccessTokens: ConsoleInitialAccessTokens;
  /** The client cache the adapter reads through: its clients' `Client` objects are kept beside it. */
  clientCache?: ClientCacheSync;
}

/**
 * Builds a Provider for a key set, with everything we add around oidc-provider installed: outage
 * answers, metrics, refresh-token rotation, revocation and registration additions, the JWKS cache
 * header, secure cookies in production, and the grant bookkeeping of the account page. The
 * provider holder calls it again whenever the signing keys change.
 */
export function createProviderFactory(deps: ProviderFactoryDeps): (keySet: KeySet) => Provider {
  const { config, adapter, findAccount, outboundFetch, pages, logger, redis, audit, oauthMetrics } = deps;
  const { rotation, revocations, ownTokens, clients, sessions, initialAccessTokens } = deps;
  return function buildProvider(keySet) {
    const provider = new Provider(
      config.issuer,
      buildProviderConfiguration({ config, adapter, keySet, findAccount, outboundFetch, pages }),
    );
    const { clientCache } = deps;
    if (clientCache) reuseClientInstances(provider, clientCache.peek);
    const outages = createOauthOutageAnswers();
    provider.on('server_error', (ctx, err) => {
      outages.noteServerError(ctx, err);
      if (isDatabaseUnavailable(err)) logger.warn({ path: ctx.path }, 'database unavailable');
      else logger.error({ err }, 'oidc-provider server_error');
    });
    oauthMetrics.install(provider);
    provider.use(outages.middleware);
    installEndpointActions({ provider, redis, rotation, revocations, ownTokens, audit });
    installRegistrationHooks({ provider, clients, audit, initialAccessTokens });
    if (config.registration.anonymous) installAnonymousRegistration(provider);
    registerTokenExchange(provider, {
      ownTokens,
      revocations,
      audience: config.vectorApiUrl,
      resourceServer: createResourceServers({
        vectorApiUrl: config.vectorApiUrl,
        accessTokenTtl: config.tokens.accessTokenTtl,
        signingAlg: keySet.current.alg as AsymmetricSigningAlgorithm,
        signingKid: keySet.current.kid,
      }).getResourceServerInfo(undefined, config.vectorApiUrl),
    });
    installJwksCacheControl(provider, config.keys.jwksMaxAgeSec);
    if (config.nodeEnv === 'production') provider.use(secureCookies);
    provider.on('grant.success', (ctx) => {
      const grant = ctx.oidc.entities.Grant;
      if (grant?.jti && grant.accountId) {
        sessions.touchGrant(grant.jti, grant.accountId, grant.clientId ?? '').catch(() => undefined);
      }
    });
    return provider;
  };
}
