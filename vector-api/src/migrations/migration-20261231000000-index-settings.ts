import { Migration } from '@mikro-orm/migrations';

/** Each collection's index settings (type flat / hnsw / auto and HNSW parameters); null = flat. */
export class Migration20261231000000IndexSettings extends Migration {
  override up(): void {
    this.addSql('alter table collection add column index_settings jsonb');
  }

  override down(): void {
    this.addSql('alter table collection drop column index_settings');
  }
}
