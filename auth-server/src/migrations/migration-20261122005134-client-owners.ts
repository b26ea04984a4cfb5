import { Migration } from '@mikro-orm/migrations';

/** Which account registered which client in the developer console. */
export class Migration20261122005134ClientOwners extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table client_owner (
        client_id text primary key,
        account_id uuid not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index client_owner_account on client_owner (account_id)');
  }
}
