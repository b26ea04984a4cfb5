import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { UpstreamIdentity } from './upstream-provider.ts';

/** An account's link to an upstream identity provider's subject (table `federated_identity`, migration 0007). */
export interface FederatedIdentityRow {
  id: string;
  provider: string;
  providerSubject: string;
  accountId: string;
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  lastUsedAt: Date;
}

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
const COLUMNS = `id, provider, provider_subject as "providerSubject", account_id as "accountId", email,
  email_verified as "emailVerified", created_at as "createdAt", last_used_at as "lastUsedAt"`;

/** Raw results carry timestamps as strings: dates here, once. */
const toIdentity = (row: FederatedIdentityRow): FederatedIdentityRow => ({
  ...row,
  createdAt: new Date(row.createdAt),
  lastUsedAt: new Date(row.lastUsedAt),
});

/** Federated identities in Postgres, by SQL (the migrations are the schema). */
export function createFederatedIdentityRepository(orm: MikroORM): FederatedIdentityRepository {
  // The EntityManager translates driver errors (a duplicate key is a UniqueConstraintViolationException).
  const db = () => orm.em;
  const select = async (where: string, params: unknown[]) =>
    (
      await db().execute<FederatedIdentityRow[]>(`select ${COLUMNS} from federated_identity ${where}`, params)
    ).map(toIdentity);
  return {
    find: async (provider, subject) =>
      (await select('where provider = ? and provider_subject = ?', [provider, subject]))[0],
    listForAccount: async (accountId) =>
      UUID.test(accountId) ? select('where account_id = ? order by provider asc', [accountId]) : [],
    async link(accountId, identity) {
      try {
        const rows = await db().execute<FederatedIdentityRow[]>(
          `insert into federated_identity (id, provider, provider_subject, account_id, email, email_verified)
           values (?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
          [
            randomUUID(),
            identity.provider,
            identity.subject,
            accountId,
            identity.email ?? null,
            identity.emailVerified,
          ],
        );
        return toIdentity(rows[0]!);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return undefined;
        throw err;
      }
    },
    async touch(id, identity) {
      if (!UUID.test(id)) return;
      await db().execute(
        'update federated_identity set email = ?, email_verified = ?, last_used_at = now() where id = ?',
        [identity.email ?? null, identity.emailVerified, id],
      );
    },
    async unlink(accountId, provider) {
      if (!UUID.test(accountId)) return false;
      const rows = await db().execute(
        'delete from federated_identity where account_id = ? and provider = ? returning id',
        [accountId, provider],
      );
      return rows.length === 1;
    },
  };
}
