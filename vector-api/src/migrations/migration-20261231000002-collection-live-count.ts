import { Migration } from '@mikro-orm/migrations';

/**
 * A collection's live vectors, kept on its row by every write (in the write's transaction, under
 * the row lock the version bump takes), so that showing a collection or listing a principal's
 * collections reads one row each instead of counting vector_record (a million-vector collection
 * took a sequential count per GET). Filled from the records once here.
 */
export class Migration20261231000002CollectionLiveCount extends Migration {
  override up(): void {
    this.addSql('alter table collection add column if not exists live_count bigint not null default 0');
    this.addSql(
      `update collection c set live_count = (
         select count(*) from vector_record r where r.collection_id = c.id and r.payload is not null)`,
    );
  }

  override down(): void {
    this.addSql('alter table collection drop column if exists live_count');
  }
}
