import { Migration } from '@mikro-orm/migrations';

/**
 * Passkeys (WebAuthn): each account's user handle (random, stable, what authenticators keep
 * instead of anything personal), its credentials (public keys need no sealing: they are public;
 * the signature counter and the backup flags as last seen), and the challenges handed out, each
 * bound to what it was made for (an account and its session, or a sign-in's interaction), spent
 * once, dead after `expires_at`. All go with their account.
 */
export class Migration20261201030000Passkeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table passkey_user_handle (
        account_id uuid primary key references account (id) on delete cascade,
        user_handle bytea not null unique,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table passkey_credential (
        id uuid primary key,
        account_id uuid not null references account (id) on delete cascade,
        credential_id text not null unique,
        public_key bytea not null,
        counter bigint not null default 0,
        transports text[] not null default '{}',
        device_type text not null check (device_type in ('singleDevice', 'multiDevice')),
        backed_up boolean not null,
        name text not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz
      )`);
    this.addSql('create index passkey_credential_account on passkey_credential (account_id)');
    this.addSql(`
      create table passkey_challenge (
        challenge text primary key,
        purpose text not null check (purpose in ('registration', 'sign_in', 'second_factor')),
        bound_to text not null,
        account_id uuid references account (id) on delete cascade,
        expires_at timestamptz not null
      )`);
    this.addSql('create index passkey_challenge_expiry on passkey_challenge (expires_at)');
  }
}
