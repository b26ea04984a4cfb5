import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';

/** An end user (table `account`). `email` is normalised (see email-address.ts) and unique. */
export interface AccountRow {
  id: string;
  email: string;
  emailVerified: boolean;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  passwordChangedAt: Date;
  lastSignInAt: Date | null;
}

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
const COLUMNS = `id, email, email_verified as "emailVerified", password_hash as "passwordHash", disabled,
  created_at as "createdAt", updated_at as "updatedAt", password_changed_at as "passwordChangedAt",
  last_sign_in_at as "lastSignInAt"`;

/** Raw results carry timestamps as strings: dates here, once. */
const toAccount = (row: AccountRow): AccountRow => ({
  ...row,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
  passwordChangedAt: new Date(row.passwordChangedAt),
  lastSignInAt: row.lastSignInAt === null ? null : new Date(row.lastSignInAt),
});

/** Accounts in Postgres, by SQL (the migrations are the schema). */
export function createAccountRepository(orm: MikroORM): AccountRepository {
  // The EntityManager translates driver errors (a duplicate key is a UniqueConstraintViolationException).
  const db = () => orm.em;
  const select = async (where: string, params: unknown[]) =>
    (await db().execute<AccountRow[]>(`select ${COLUMNS} from account ${where}`, params)).map(toAccount);
  /** Sets `assignments` (SQL, `?` params) on one account; whether it exists. */
  const update = async (id: string, assignments: string, params: unknown[] = []) => {
    if (!UUID.test(id)) return false;
    const rows = await db().execute(
      `update account set ${assignments}, updated_at = now() where id = ? returning id`,
      [...params, id],
    );
    return rows.length === 1;
  };
  return {
    async create(email, passwordHash) {
      try {
        const rows = await db().execute<AccountRow[]>(
          `insert into account (id, email, password_hash) values (?, ?, ?) returning ${COLUMNS}`,
          [randomUUID(), email, passwordHash],
        );
        return toAccount(rows[0]!);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return undefined;
        throw err;
      }
    },
    findByEmail: async (email) => (await select('where email = ?', [email]))[0],
    findById: async (id) => (UUID.test(id) ? (await select('where id = ?', [id]))[0] : undefined),
    async markEmailVerified(id) {
      await update(id, 'email_verified = true');
    },
    async setPasswordHash(id, passwordHash) {
      await update(id, 'password_hash = ?, password_changed_at = now()', [passwordHash]);
    },
    async recordSignIn(id) {
      await update(id, 'last_sign_in_at = now()');
    },
    setDisabled: (id, disabled) => update(id, 'disabled = ?', [disabled]),
    async delete(id) {
      if (!UUID.test(id)) return false;
      return (await db().execute('delete from account where id = ? returning id', [id])).length === 1;
    },
    async list({ offset, limit }) {
      const [accounts, [count]] = await Promise.all([
        select('order by created_at asc, id asc offset ? limit ?', [offset, limit]),
        db().execute<{ total: string }[]>('select count(*) as total from account'),
      ]);
      return { accounts, total: Number(count?.total ?? 0) };
    },
  };
}
