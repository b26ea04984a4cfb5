import type Router from '@koa/router';
import {
  createRevocationStore,
  publishPrincipalDeleted,
  type Redis,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { AuthServerConfig } from '../config.ts';
import type { KeySync } from '../keys/key-sync.ts';
import type { SigningKeyStore } from '../keys/signing-key-store.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { createApiKeyRoutes } from './api-key-routes.ts';
import { createAuditRoutes } from './audit-routes.ts';
import { createClientRoutes } from './client-routes.ts';
import { createInitialAccessTokenRoutes } from './initial-access-token-routes.ts';
import { createKeyRoutes } from './key-routes.ts';
import { createRevocationRoutes } from './revocation-routes.ts';
import { createUserRoutes } from './user-routes.ts';

/** Every router of the admin API, in the order the admin app mounts (and documents) them. */
export function createAdminRouters(deps: {
  clients: ClientRegistry;
  holder: ProviderHolder;
  keys: SigningKeyStore;
  keySync: KeySync;
  accounts: AccountRepository;
  sessions: AccountSessions;
  revocations: Revocations;
  apiKeys: ApiKeys;
  redis: Redis;
  audit: AuditLog;
  config: Pick<AuthServerConfig, 'redisWaitReplicas'>;
}): Router[] {
  const { clients, keys, accounts, sessions, revocations, redis, audit } = deps;
  const revocationStore = createRevocationStore(redis, { replicas: deps.config.redisWaitReplicas });
  return [
    createClientRoutes(clients, audit),
    createInitialAccessTokenRoutes(() => deps.holder.live().provider),
    createKeyRoutes({ keys, sync: deps.keySync, revocationStore, audit }),
    createUserRoutes({
      accounts,
      sessions,
      audit,
      onDeleted: (id) => announceDeletion(redis, id, deps.config.redisWaitReplicas),
    }),
    createRevocationRoutes(revocations),
    createApiKeyRoutes({ apiKeys: deps.apiKeys, audit }),
    createAuditRoutes(audit),
  ];
}

/** Resource servers shred a deleted user's data on this event: no announcement, no deletion (503). */
async function announceDeletion(redis: Redis, accountId: string, replicas: number): Promise<void> {
  await publishPrincipalDeleted(redis, accountId, new Date(), { replicas }).catch(() => {
    throw new ServiceUnavailableError('the deletion could not be announced to resource servers; retry');
  });
}
