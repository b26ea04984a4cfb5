import type { Logger, MasterKeyring, Metrics, MikroORM, Redis } from '@vectorauth/shared';
import type { Adapter } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { type ApiKeys, createApiKeys } from '../api-keys/api-keys.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientCacheSync } from '../clients/client-cache-sync.ts';
import { type ClientRegistry, createClientRegistry } from '../clients/client-registry.ts';
import {
  type ConsoleInitialAccessTokens,
  createConsoleInitialAccessTokens,
} from '../clients/console-initial-access-tokens.ts';
import { createGuardedFetch } from '../clients/metadata-documents/guarded-fetch.ts';
import {
  createLoopbackDocuments,
  withLoopbackDocuments,
} from '../clients/metadata-documents/loopback-documents.ts';
import type { AuthServerConfig } from '../config.ts';
import type { PageRenderer } from '../pages/renderer.ts';
import { createOwnAccessTokens } from '../revocation/own-access-tokens.ts';
import { createRevocations, type Revocations } from '../revocation/revocations.ts';
import { type AccountSessions, createAccountSessions } from './account-sessions.ts';
import { createFindAccount } from './find-account.ts';
import { createOauthMetrics, type OauthMetrics } from './oauth-metrics.ts';
import { createPostgresAdapter, undoRotation } from './postgres-adapter.ts';
import { createProviderFactory } from './provider-factory.ts';
import { createProviderHolder, type ProviderHolder } from './provider-holder.ts';
import { createRefreshRotation } from './refresh-rotation.ts';

export interface OidcServices {
  /** The live Provider; swap in the first key set before serving. */
  holder: ProviderHolder;
  adapter: new (model: string) => Adapter;
  revocations: Revocations;
  oauthMetrics: OauthMetrics;
  sessions: AccountSessions;
  clients: ClientRegistry;
  /** Initial access tokens made in the developer console, each owned by its account. */
  initialAccessTokens: ConsoleInitialAccessTokens;
  /** Personal API keys and client keys. */
  apiKeys: ApiKeys;
}

/**
 * oidc-provider and what lives beside it: storage (the Postgres adapter with refresh-token
 * rotation), revocations, and the modules that read the live Provider (account sessions, client
 * registry, our own access tokens). Those are created first, then the builder that hooks them
 * into every Provider the holder builds.
 */
export function createOidcServices(deps: {
  config: AuthServerConfig;
  orm: MikroORM;
  redis: Redis;
  keyring: MasterKeyring;
  accounts: AccountRepository;
  pages: PageRenderer;
  metrics: Metrics;
  audit: AuditLog;
  logger: Logger;
  /** Clients from memory, invalidated at every instance (the adapter reads and writes through it). */
  clientCache?: ClientCacheSync;
}): OidcServices {
  const { config, orm, redis, keyring, logger } = deps;
  const oauthMetrics = createOauthMetrics(deps.metrics);
  const revocations = oauthMetrics.countRevocations(
    createRevocations({
      orm,
      redis,
      maxTokenTtlSec: config.tokens.accessTokenTtl,
      replicas: config.redisWaitReplicas,
      logger,
    }),
  );
  const rotation = createRefreshRotation({
    graceSec: config.tokens.refreshTokenReuseGraceSec,
    undo: (rotated) => undoRotation(orm, rotated),
  });
  // One connection pool for what oidc-provider fetches for clients, for every Provider the keys build.
  const outboundFetch = createGuardedFetch({
    production: config.nodeEnv === 'production',
    caFile: config.outboundCaFile,
  });
  const stored = createPostgresAdapter({
    orm,
    keyring,
    onGrantRevoked: (grantId, source) => revocations.revokeGrant(grantId, source),
    rotation,
    clientCache: deps.clientCache,
  });
  // Development only: metadata documents over plain http on this machine (https ones: oidc-provider).
  const adapter =
    config.cimd.enabled && config.nodeEnv !== 'production'
      ? withLoopbackDocuments(stored, createLoopbackDocuments({ maxCacheSec: config.cimd.maxCacheSec }))
      : stored;
  // The Provider is rebuilt whenever the signing keys change; everything else sees the live one.
  const holder = createProviderHolder();
  const ownTokens = createOwnAccessTokens({
    issuer: config.issuer,
    publicJwks: () => ({ keys: holder.live().keySet.publicJwks }),
  });
  const initialAccessTokens = createConsoleInitialAccessTokens({ orm, provider: holder.provider });
  const apiKeys = createApiKeys({ orm, redis, replicas: config.redisWaitReplicas, revocations, logger });
  const sessions = createAccountSessions({
    orm,
    provider: holder.provider,
    revocations,
    initialAccessTokens,
    apiKeys,
  });
  const clients = createClientRegistry({ provider: holder.provider, orm, adapter, revocations, apiKeys });
  holder.buildWith(
    createProviderFactory({
      ...deps,
      findAccount: createFindAccount(deps.accounts),
      outboundFetch,
      adapter,
      oauthMetrics,
      rotation,
      revocations,
      ownTokens,
      clients,
      sessions,
      initialAccessTokens,
    }),
  );
  return { holder, adapter, revocations, oauthMetrics, sessions, clients, initialAccessTokens, apiKeys };
}
