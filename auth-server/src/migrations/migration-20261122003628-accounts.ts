import { Migration } from '@mikro-orm/migrations';

/** End-user accounts, single-use e-mail tokens, and when each grant was last used. */
export class Migration20261122003628Accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table account (
        id uuid primary key,
        email text not null,
        email_verified boolean not null default false,
        password_hash text not null,
        disabled boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        password_changed_at timestamptz not null default now(),
        last_sign_in_at timestamptz
      )`);
    this.addSql('create unique index account_email on account (email)');
    this.addSql(`
      create table email_token (
        token_hash bytea primary key,
        account_id uuid not null references account (id) on delete cascade,
        purpose text not null check (purpose in ('verify-email', 'reset-password')),
        expires_at timestamptz not null,
        used_at timestamptz,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index email_token_account on email_token (account_id, purpose)');
    this.addSql(`
      create table grant_usage (
        grant_id text primary key,
        account_id text not null,
        client_id text not null,
        last_used_at timestamptz not null default now()
      )`);
    this.addSql('create index grant_usage_account on grant_usage (account_id)');
    this.addSql(
      "create index oidc_model_account on oidc_model ((payload->>'accountId')) where model in ('Session', 'Grant')",
    );
  }
}
