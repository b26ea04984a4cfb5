import { Migration } from '@mikro-orm/migrations';

/**
 * Personal API keys (and keys a developer makes for a client): the key itself is never stored,
 * only its SHA-256 (`hash`, base64url) and the few characters that name it in a list
 * (`display_prefix`). `subject` is the principal the key acts as (an account id, or a client id
 * for a client's key); `created_by` the account that made it. Revoked keys stay listed until they
 * would have expired, then are swept.
 */
export class Migration20261201010000ApiKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table api_key (
        id uuid primary key,
        subject text not null,
        owner_kind text not null check (owner_kind in ('account', 'client')),
        created_by uuid references account (id) on delete set null,
        name text not null,
        scope text not null,
        hash text not null unique,
        display_prefix text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz
      )`);
    this.addSql('create index api_key_subject on api_key (subject, created_at desc)');
  }
}
