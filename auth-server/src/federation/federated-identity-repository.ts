import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { FederatedIdentity, type FederatedIdentityRow } from './federated-identity-entity.ts';
import type { UpstreamIdentity } from './upstream-provider.ts';

export interface FederatedIdentityRepository {
  find(provider: string, subject: string): Promise<FederatedIdentityRow | undefined>;
  listForAccount(accountId: string): Promise<FederatedIdentityRow[]>;
  /** Links the identity to the account; undefined when the subject or the account's provider slot is taken. */
  link(accountId: string, identity: UpstreamIdentity): Promise<FederatedIdentityRow | undefined>;
  /** Records a sign-in with the link and what the provider asserted this time. */
  touch(id: string, identity: UpstreamIdentity): Promise<void>;
  unlink(accountId: string, provider: string): Promise<boolean>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createFederatedIdentityRepository(orm: MikroORM): FederatedIdentityRepository {
  const em = () => orm.em.fork();
  return {
    find: async (provider, providerSubject) =>
      (await em().findOne(FederatedIdentity, { provider, providerSubject })) ?? undefined,
    listForAccount: async (accountId) =>
      UUID.test(accountId)
        ? em().find(FederatedIdentity, { accountId }, { orderBy: { provider: 'asc' } })
        : [],
    async link(accountId, identity) {
      const fork = em();
      const row = fork.create(FederatedIdentity, {
        id: randomUUID(),
        provider: identity.provider,
        providerSubject: identity.subject,
        accountId,
        email: identity.email ?? null,
        emailVerified: identity.emailVerified,
      });
      try {
        await fork.flush();
        return row;
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return undefined;
        throw err;
      }
    },
    async touch(id, identity) {
      await em().nativeUpdate(
        FederatedIdentity,
        { id },
        { email: identity.email ?? null, emailVerified: identity.emailVerified, lastUsedAt: new Date() },
      );
    },
    async unlink(accountId, provider) {
      if (!UUID.test(accountId)) return false;
      return (await em().nativeDelete(FederatedIdentity, { accountId, provider })) === 1;
    },
  };
}
