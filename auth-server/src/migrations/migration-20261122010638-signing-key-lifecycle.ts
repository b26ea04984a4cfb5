import { Migration } from '@mikro-orm/migrations';

/**
 * Signing-key lifecycle: when a key was revoked (its tokens stay denied at resource servers for
 * a while after), and at most one staged `next` key at a time (like `current`).
 */
export class Migration20261122010638SigningKeyLifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table signing_key add column revoked_at timestamptz');
    this.addSql("create unique index signing_key_one_next on signing_key (status) where status = 'next'");
  }
}
