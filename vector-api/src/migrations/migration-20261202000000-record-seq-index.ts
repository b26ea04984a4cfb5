import { Migration } from '@mikro-orm/migrations';

/**
 * Loading an index replays a collection's rows in (seq, id) pages (keyset pagination): index
 * them in that order instead of by seq alone. Idempotent, because an early copy of the previous
 * migration already made this change on some development databases.
 */
export class Migration20261202000000RecordSeqIndex extends Migration {
  override up(): void {
    this.addSql('drop index if exists vector_record_collection_seq_idx');
    this.addSql(
      'create index if not exists vector_record_collection_seq_id_idx on vector_record (collection_id, seq, id)',
    );
  }

  override down(): void {
    this.addSql('drop index if exists vector_record_collection_seq_id_idx');
    this.addSql(
      'create index if not exists vector_record_collection_seq_idx on vector_record (collection_id, seq)',
    );
  }
}
