import type { Logger, MasterKeyring, Metrics, MikroORM, Redis } from '@vectorauth/shared';
import type { Adapter } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientCacheSync } from '../clients/client-cache-sync.ts';
import { type ClientRegistry, createClientRegistry } from '../clients/client-registry.ts';
import { createGuardedFetch } from '../clients/metadata-documents/guarded-fetch.ts';
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
    createRevocations({ orm, redis, maxTokenTtlSec: config.tokens.accessTokenTtl, logger }),
  );
  const rotation = createRefreshRotation({
    graceSec: config.tokens.refreshTokenReuseGraceSec,
    undo: (rotated) => undoRotation(orm, rotated),
  });
  const adapter = createPostgresAdapter({
    orm,
    keyring,
    onGrantRevoked: (grantId, source) => revocations.revokeGrant(grantId, source),
    rotation,
    clientCache: deps.clientCache,
  });
  // The Provider is rebuilt whenever the signing keys change; everything else sees the live one.
  const holder = createProviderHolder();
  const ownTokens = createOwnAccessTokens({
    issuer: config.issuer,
    publicJwks: () => ({ keys: holder.live().keySet.publicJwks }),
  });
  const sessions = createAccountSessions({ orm, provider: holder.provider, revocations });
  const clients = createClientRegistry({ provider: holder.provider, orm, adapter, revocations });
  holder.buildWith(
    createProviderFactory({
      ...deps,
      findAccount: createFindAccount(deps.accounts),
      // One connection pool for every Provider the key set builds.
      outboundFetch: createGuardedFetch({
        production: deps.config.nodeEnv === 'production',
        caFile: deps.config.outboundCaFile,
      }),
      adapter,
      oauthMetrics,
      rotation,
      revocations,
      ownTokens,
      clients,
      sessions,
    }),
  );
  return { holder, adapter, revocations, oauthMetrics, sessions, clients };
}
