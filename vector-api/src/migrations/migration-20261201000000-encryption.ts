import { Migration } from '@mikro-orm/migrations';

/**
 * Encryption at rest and exact cache rebuilds.
 *
 * - `principal_key`: one random 256-bit data key per principal, wrapped (AES-256-GCM) by the
 *   master key `master_key_id`; `data_key_id` names the key itself and survives rewrapping.
 * - `vector_record.payload` may be null: a tombstone, written by a delete with the collection
 *   version (`seq`) of that delete, so "snapshot at V + rows with seq > V" replays deletes too.
 * - `collection.purged_seq`: tombstones with `seq <= purged_seq` may have been purged, so a
 *   snapshot older than that cannot be brought up to date and a full load is needed instead.
 * - `audit_event`: who did what to whom (crypto-shredding records here first).
 */
export class Migration20261201000000Encryption extends Migration {
  override up(): void {
    this.addSql(`
      create table principal_key (
        principal text primary key,
        data_key_id uuid not null unique,
        master_key_id text not null,
        wrapped bytea not null,
        created_at timestamptz not null default now(),
        rewrapped_at timestamptz
      )`);
    this.addSql('create index principal_key_master_key_idx on principal_key (master_key_id)');
    this.addSql('alter table vector_record alter column payload drop not null');
    this.addSql('alter table collection add column purged_seq bigint not null default 0');
    this.addSql('create index collection_principal_idx on collection (principal)');
    this.addSql(`
      create table audit_event (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor text not null,
        action text not null,
        subject text not null,
        request_id text,
        detail jsonb not null default '{}'::jsonb
      )`);
    this.addSql('create index audit_event_subject_idx on audit_event (subject, at)');
  }

  override down(): void {
    this.addSql('drop table audit_event');
    this.addSql('drop index collection_principal_idx');
    this.addSql('alter table collection drop column purged_seq');
    this.addSql('delete from vector_record where payload is null');
    this.addSql('alter table vector_record alter column payload set not null');
    this.addSql('drop table principal_key');
  }
}
