import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Account, type AccountRow } from './account-entity.ts';

export interface AccountPage {
  accounts: AccountRow[];
  total: number;
}

export interface AccountRepository {
  /** Creates the account; undefined when the e-mail is already taken. */
  create(email: string, passwordHash: string): Promise<AccountRow | undefined>;
  findByEmail(email: string): Promise<AccountRow | undefined>;
  findById(id: string): Promise<AccountRow | undefined>;
  markEmailVerified(id: string): Promise<void>;
  setPasswordHash(id: string, hash: string): Promise<void>;
  recordSignIn(id: string): Promise<void>;
  setDisabled(id: string, disabled: boolean): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(options: { offset: number; limit: number }): Promise<AccountPage>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccountRepository(orm: MikroORM): AccountRepository {
  const em = () => orm.em.fork();
  const update = async (id: string, fields: Partial<AccountRow>) => {
    if (!UUID.test(id)) return false;
    return (await em().nativeUpdate(Account, { id }, fields)) === 1;
  };
  return {
    async create(email, passwordHash) {
      const fork = em();
      const account = fork.create(Account, { id: randomUUID(), email, passwordHash, lastSignInAt: null });
      try {
        await fork.flush();
        return account;
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return undefined;
        throw err;
      }
    },
    findByEmail: async (email) => (await em().findOne(Account, { email })) ?? undefined,
    findById: async (id) =>
      UUID.test(id) ? ((await em().findOne(Account, { id })) ?? undefined) : undefined,
    async markEmailVerified(id) {
      await update(id, { emailVerified: true });
    },
    async setPasswordHash(id, passwordHash) {
      await update(id, { passwordHash, passwordChangedAt: new Date() });
    },
    async recordSignIn(id) {
      await update(id, { lastSignInAt: new Date() });
    },
    setDisabled: (id, disabled) => update(id, { disabled }),
    async delete(id) {
      if (!UUID.test(id)) return false;
      return (await em().nativeDelete(Account, { id })) === 1;
    },
    async list({ offset, limit }) {
      const [accounts, total] = await em().findAndCount(
        Account,
        {},
        { orderBy: { createdAt: 'asc', id: 'asc' }, offset, limit },
      );
      return { accounts, total };
    },
  };
}
