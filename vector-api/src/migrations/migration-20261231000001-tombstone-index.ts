import { Migration } from '@mikro-orm/migrations';

/**
 * The maintenance pass deletes old tombstones (`payload is null`); without an index it read every
 * row of vector_record, and on 2M rows (the 1M-vector bench) it ran past the statement timeout
 * ('maintenance pass failed; retrying next time'). A partial index holds the tombstones only.
 */
export class Migration20261231000001TombstoneIndex extends Migration {
  override up(): void {
    this.addSql(
      'create index if not exists vector_record_tombstone_idx on vector_record (updated_at) where payload is null',
    );
  }

  override down(): void {
    this.addSql('drop index if exists vector_record_tombstone_idx');
  }
}
