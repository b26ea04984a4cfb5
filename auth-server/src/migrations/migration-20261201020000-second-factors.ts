import { Migration } from '@mikro-orm/migrations';

/**
 * Two-step sign-in (RFC 6238 TOTP): at most one authenticator app per account, its secret wrapped
 * by the master keyring (`master_key_id`, AAD bound to the account), pending until a code confirms
 * it (`confirmed_at`), with the last time step a code was accepted for (a code is never accepted
 * twice); and the account's one-time recovery codes, stored as SHA-256, spent once (`used_at`).
 * Both go with their account.
 */
export class Migration20261201020000SecondFactors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table totp_credential (
        account_id uuid primary key references account (id) on delete cascade,
        sealed_secret bytea not null,
        master_key_id text not null,
        created_at timestamptz not null default now(),
        confirmed_at timestamptz,
        last_used_step bigint
      )`);
    this.addSql(`
      create table recovery_code (
        account_id uuid not null references account (id) on delete cascade,
        code_hash bytea not null,
        created_at timestamptz not null default now(),
        used_at timestamptz,
        primary key (account_id, code_hash)
      )`);
  }
}
