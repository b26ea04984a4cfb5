import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in through upstream identity providers: one row per (provider, the provider's stable
 * subject), linked to one account, at most one link per provider and account. The e-mail is kept
 * as the provider asserted it, for the account page and the audit trail; it never identifies.
 */
export class Migration20261122015927FederatedIdentities extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table federated_identity (
        id uuid primary key,
        provider text not null check (char_length(provider) <= 32),
        provider_subject text not null check (char_length(provider_subject) <= 512),
        account_id uuid not null references account (id) on delete cascade,
        email text check (char_length(email) <= 320),
        email_verified boolean not null default false,
        created_at timestamptz not null default now(),
        last_used_at timestamptz not null default now()
      )`);
    this.addSql(
      'create unique index federated_identity_subject on federated_identity (provider, provider_subject)',
    );
    this.addSql(
      'create unique index federated_identity_account on federated_identity (account_id, provider)',
    );
  }
}
