import { Migration } from '@mikro-orm/migrations';

/** The durable record of revocations, from which Redis can always be rebuilt. */
export class Migration20261122004106Revocations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table revocation (
        scope text not null check (scope in ('jti', 'grant', 'sub', 'client')),
        id text not null,
        at_ms bigint not null,
        expires_at timestamptz not null,
        primary key (scope, id)
      )`);
    this.addSql('create index revocation_expires_at on revocation (expires_at)');
  }
}
