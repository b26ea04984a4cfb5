import { randomBytes, randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';

/** A passkey as stored (table `passkey_credential`). */
export interface PasskeyCredential {
  /** Ours: what the pages name it by. */
  id: string;
  accountId: string;
  /** The authenticator's, base64url, as the browser names it. */
  credentialId: string;
  /** COSE public key. */
  publicKey: Buffer;
  /** The signature counter last accepted (0: the authenticator keeps none). */
  counter: number;
  transports: string[];
  /** `multiDevice`: the key may be synced to the person's other devices (backup eligible). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskeyCredential = Omit<PasskeyCredential, 'id' | 'createdAt' | 'lastUsedAt'>;

export interface PasskeyRepository {
  /** The account's user handle, made (32 random bytes) on first use and never changed. */
  userHandleOf(accountId: string): Promise<Buffer>;
  list(accountId: string): Promise<PasskeyCredential[]>;
  count(accountId: string): Promise<number>;
  /** The passkey with this credential id, and its account's user handle. */
  findByCredentialId(credentialId: string): Promise<(PasskeyCredential & { userHandle: Buffer }) | undefined>;
  /** Stores a new passkey; undefined when its credential id is registered already (to anyone). */
  insert(credential: NewPasskeyCredential): Promise<PasskeyCredential | undefined>;
  /**
   * Records a use: the counter moves to `counter` only forward (or stays 0 for an authenticator
   * that keeps none), the backup flags as now reported; false when the stored counter is already
   * there or past it (a clone, or a race with another use of the same response).
   */
  recordUse(
    id: string,
    use: { counter: number; deviceType: PasskeyCredential['deviceType']; backedUp: boolean },
  ): Promise<boolean>;
  rename(accountId: string, id: string, name: string): Promise<boolean>;
  /** Removes one of the account's passkeys; what it was, if it was the account's. */
  remove(accountId: string, id: string): Promise<PasskeyCredential | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The WebAuthn spec recommends a random user handle; 32 bytes is well within its 64. */
const USER_HANDLE_BYTES = 32;

interface Row {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: string | number;
  transports: string[];
  device_type: PasskeyCredential['deviceType'];
  backed_up: boolean;
  name: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
}

const COLUMNS = `id, account_id, credential_id, public_key, counter, transports, device_type, backed_up,
  name, created_at, last_used_at`;

const credentialOf = (row: Row): PasskeyCredential => ({
  id: row.id,
  accountId: row.account_id,
  credentialId: row.credential_id,
  publicKey: Buffer.from(row.public_key),
  counter: Number(row.counter),
  transports: row.transports,
  deviceType: row.device_type,
  backedUp: row.backed_up,
  name: row.name,
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
});

/** Passkeys in Postgres, by SQL (the migrations are the schema). */
export function createPasskeyRepository(orm: MikroORM): PasskeyRepository {
  const db = () => orm.em;
  return {
    async userHandleOf(accountId) {
      await db().execute(
        `insert into passkey_user_handle (account_id, user_handle) values (?, ?)
         on conflict (account_id) do nothing`,
        [accountId, randomBytes(USER_HANDLE_BYTES)],
      );
      const [row] = await db().execute<{ user_handle: Buffer }[]>(
        'select user_handle from passkey_user_handle where account_id = ?',
        [accountId],
      );
      return Buffer.from(row!.user_handle);
    },

    async list(accountId) {
      if (!UUID.test(accountId)) return [];
      const rows = await db().execute<Row[]>(
        `select ${COLUMNS} from passkey_credential where account_id = ? order by created_at, id`,
        [accountId],
      );
      return rows.map(credentialOf);
    },

    async count(accountId) {
      if (!UUID.test(accountId)) return 0;
      const [row] = await db().execute<{ n: number }[]>(
        'select count(*)::int as n from passkey_credential where account_id = ?',
        [accountId],
      );
      return row?.n ?? 0;
    },

    async findByCredentialId(credentialId) {
      const [row] = await db().execute<(Row & { user_handle: Buffer })[]>(
        `select c.*, h.user_handle
         from passkey_credential c join passkey_user_handle h using (account_id)
         where c.credential_id = ?`,
        [credentialId],
      );
      return row ? { ...credentialOf(row), userHandle: Buffer.from(row.user_handle) } : undefined;
    },

    async insert(c) {
      const [row] = await db().execute<Row[]>(
        `insert into passkey_credential
           (id, account_id, credential_id, public_key, counter, transports, device_type, backed_up, name)
         values (?, ?, ?, ?, ?, ?::text[], ?, ?, ?)
         on conflict (credential_id) do nothing
         returning ${COLUMNS}`,
        [
          randomUUID(),
          c.accountId,
          c.credentialId,
          c.publicKey,
          c.counter,
          // An array literal: the transports are words of WebAuthn's list (passkey-response.ts).
          `{${c.transports.join(',')}}`,
          c.deviceType,
          c.backedUp,
          c.name,
        ],
      );
      return row ? credentialOf(row) : undefined;
    },

    async recordUse(id, use) {
      const rows = await db().execute(
        `update passkey_credential
         set counter = ?, device_type = ?, backed_up = ?, last_used_at = now()
         where id = ? and (counter < ? or (counter = 0 and ? = 0))
         returning id`,
        [use.counter, use.deviceType, use.backedUp, id, use.counter, use.counter],
      );
      return rows.length === 1;
    },

    async rename(accountId, id, name) {
      if (!UUID.test(accountId) || !UUID.test(id)) return false;
      const rows = await db().execute(
        'update passkey_credential set name = ? where id = ? and account_id = ? returning id',
        [name, id, accountId],
      );
      return rows.length === 1;
    },

    async remove(accountId, id) {
      if (!UUID.test(accountId) || !UUID.test(id)) return undefined;
      const [row] = await db().execute<Row[]>(
        `delete from passkey_credential where id = ? and account_id = ? returning ${COLUMNS}`,
        [id, accountId],
      );
      return row ? credentialOf(row) : undefined;
    },
  };
}
