import { createHash, randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';

export type EmailTokenPurpose = 'verify-email' | 'reset-password';

export interface EmailTokens {
  /** A fresh 256-bit token for the account; only its SHA-256 is stored. */
  issue(accountId: string, purpose: EmailTokenPurpose, ttlSeconds: number): Promise<string>;
  /** Spends the token once; the account id, or undefined when unknown, used, expired or of another purpose. */
  consume(token: string, purpose: EmailTokenPurpose): Promise<string | undefined>;
  /** Whether the token would be accepted now (for showing a form before spending it). */
  peek(token: string, purpose: EmailTokenPurpose): Promise<boolean>;
  /** Spends every outstanding token of the account for `purpose` (e.g. older reset links after a reset). */
  spendAll(accountId: string, purpose: EmailTokenPurpose): Promise<void>;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/** Single-use e-mail link tokens: verification (24 h) and password reset (30 min). */
export function createEmailTokens(orm: MikroORM): EmailTokens {
  const db = () => orm.em.getConnection();
  return {
    async issue(accountId, purpose, ttlSeconds) {
      const token = randomBytes(32).toString('base64url');
      await db().execute(
        `insert into email_token (token_hash, account_id, purpose, expires_at)
         values (?, ?, ?, now() + make_interval(secs => ?::int))`,
        [digest(token), accountId, purpose, ttlSeconds],
      );
      return token;
    },
    async consume(token, purpose) {
      if (!WELL_FORMED.test(token)) return undefined;
      const rows = await db().execute<{ account_id: string }[]>(
        `update email_token set used_at = now()
         where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
         returning account_id`,
        [digest(token), purpose],
      );
      return rows[0]?.account_id;
    },
    async peek(token, purpose) {
      if (!WELL_FORMED.test(token)) return false;
      const rows = await db().execute<unknown[]>(
        'select 1 from email_token where token_hash = ? and purpose = ? and used_at is null and expires_at > now()',
        [digest(token), purpose],
      );
      return rows.length === 1;
    },
    async spendAll(accountId, purpose) {
      await db().execute(
        'update email_token set used_at = now() where account_id = ? and purpose = ? and used_at is null',
        [accountId, purpose],
      );
    },
  };
}
