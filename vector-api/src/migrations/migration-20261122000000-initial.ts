import { Migration } from '@mikro-orm/migrations';

/**
 * Collections and their records. A record's `payload` is opaque bytes produced by the
 * RecordCodec (float32 vector + metadata today, AES-256-GCM ciphertext later); `seq` is the
 * collection version that last wrote it, so a snapshot at version V plus records with seq > V
 * rebuilds an index.
 */
export class Migration20261122000000Initial extends Migration {
  override up(): void {
    this.addSql(`
      create table collection (
        id uuid primary key,
        principal text not null,
        name text not null,
        dimension integer not null check (dimension > 0),
        metric text not null check (metric in ('l2', 'ip', 'cosine')),
        version bigint not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint collection_principal_name_unique unique (principal, name)
      )`);
    this.addSql(`
      create table vector_record (
        collection_id uuid not null references collection (id) on delete cascade,
        id text not null,
        seq bigint not null,
        codec text not null,
        payload bytea not null,
        updated_at timestamptz not null default now(),
        primary key (collection_id, id)
      )`);
    this.addSql('create index vector_record_collection_seq_idx on vector_record (collection_id, seq)');
  }

  override down(): void {
    this.addSql('drop table vector_record');
    this.addSql('drop table collection');
  }
}
