import type { MikroORM } from '@mikro-orm/postgresql';
import type { Wrapped } from '@vectorauth/shared';

/** An account's authenticator app (table `totp_credential`): its wrapped secret and state. */
export interface TotpCredential {
  accountId: string;
  sealed: Wrapped;
  createdAt: Date;
  /** Null while pending: the secret was shown, no code has confirmed it yet. */
  confirmedAt: Date | null;
  /** The last time step a code was accepted for; codes of it or before are refused. */
  lastUsedStep: number | null;
}

export interface SecondFactorRepository {
  totpOf(accountId: string): Promise<TotpCredential | undefined>;
  /** Stores a pending secret, replacing a pending one; never a confirmed one (false then). */
  savePending(accountId: string, sealed: Wrapped): Promise<boolean>;
  /**
   * Confirms the pending secret `sealed` (not one that replaced it meanwhile), its time `step`
   * spent, and stores `recoveryHashes` as the account's recovery codes, in one transaction; false
   * when that secret is no longer pending.
   */
  confirm(accountId: string, sealed: Wrapped, step: number, recoveryHashes: Buffer[]): Promise<boolean>;
  /** Spends time step `step` unless it, or a later one, was spent: true only for the first use. */
  spendStep(accountId: string, step: number): Promise<boolean>;
  unusedRecoveryHashes(accountId: string): Promise<Buffer[]>;
  /** Spends one recovery code: true only for its first use. */
  spendRecoveryCode(accountId: string, hash: Buffer): Promise<boolean>;
  /** Removes the authenticator and the recovery codes; whether there was an authenticator. */
  remove(accountId: string): Promise<boolean>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row {
  account_id: string;
  sealed_secret: Buffer;
  master_key_id: string;
  created_at: Date | string;
  confirmed_at: Date | string | null;
  last_used_step: string | number | null;
}

/** Second factors in Postgres, by SQL (the migrations are the schema). */
export function createSecondFactorRepository(orm: MikroORM): SecondFactorRepository {
  const db = () => orm.em;
  return {
    async totpOf(accountId) {
      if (!UUID.test(accountId)) return undefined;
      const [row] = await db().execute<Row[]>(
        `select account_id, sealed_secret, master_key_id, created_at, confirmed_at, last_used_step
         from totp_credential where account_id = ?`,
        [accountId],
      );
      if (!row) return undefined;
      return {
        accountId: row.account_id,
        sealed: { keyId: row.master_key_id, ciphertext: Buffer.from(row.sealed_secret) },
        createdAt: new Date(row.created_at),
        confirmedAt: row.confirmed_at === null ? null : new Date(row.confirmed_at),
        lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
      };
    },

    async savePending(accountId, sealed) {
      const rows = await db().execute(
        `insert into totp_credential (account_id, sealed_secret, master_key_id) values (?, ?, ?)
         on conflict (account_id) do update
           set sealed_secret = excluded.sealed_secret, master_key_id = excluded.master_key_id,
               created_at = now(), last_used_step = null
           where totp_credential.confirmed_at is null
         returning account_id`,
        [accountId, sealed.ciphertext, sealed.keyId],
      );
      return rows.length === 1;
    },

    confirm: (accountId, sealed, step, recoveryHashes) =>
      orm.em.fork().transactional(async (em) => {
        const confirmed = await em.execute(
          `update totp_credential set confirmed_at = now(), last_used_step = ?
           where account_id = ? and confirmed_at is null and sealed_secret = ? and master_key_id = ?
           returning account_id`,
          [step, accountId, sealed.ciphertext, sealed.keyId],
        );
        if (confirmed.length !== 1) return false;
        await em.execute('delete from recovery_code where account_id = ?', [accountId]);
        for (const hash of recoveryHashes) {
          await em.execute('insert into recovery_code (account_id, code_hash) values (?, ?)', [
            accountId,
            hash,
          ]);
        }
        return true;
      }),

    async spendStep(accountId, step) {
      const rows = await db().execute(
        `update totp_credential set last_used_step = ?
         where account_id = ? and confirmed_at is not null and (last_used_step is null or last_used_step < ?)
         returning account_id`,
        [step, accountId, step],
      );
      return rows.length === 1;
    },

    async unusedRecoveryHashes(accountId) {
      if (!UUID.test(accountId)) return [];
      const rows = await db().execute<{ code_hash: Buffer }[]>(
        'select code_hash from recovery_code where account_id = ? and used_at is null',
        [accountId],
      );
      return rows.map((r) => Buffer.from(r.code_hash));
    },

    async spendRecoveryCode(accountId, hash) {
      const rows = await db().execute(
        `update recovery_code set used_at = now()
         where account_id = ? and code_hash = ? and used_at is null returning account_id`,
        [accountId, hash],
      );
      return rows.length === 1;
    },

    async remove(accountId) {
      if (!UUID.test(accountId)) return false;
      return orm.em.fork().transactional(async (em) => {
        await em.execute('delete from recovery_code where account_id = ?', [accountId]);
        const rows = await em.execute(
          'delete from totp_credential where account_id = ? returning account_id',
          [accountId],
        );
        return rows.length === 1;
      });
    },
  };
}
