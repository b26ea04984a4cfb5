import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail: one row per security event, never updated. Newest first by `id` (the paging
 * cursor); each filter of the admin API has an index that serves it in that order. `at` keeps
 * milliseconds, as the API shows it, so an answered time used as `since`/`until` is exact.
 */
export class Migration20261122012017Audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_event (
        id bigint generated always as identity primary key,
        at timestamptz(3) not null default now(),
        action text not null check (char_length(action) <= 64),
        outcome text not null check (outcome in ('success', 'failure')),
        actor_type text not null check (actor_type in ('user', 'client', 'admin', 'system', 'anonymous')),
        actor_id text check (char_length(actor_id) <= 256),
        subject_type text check (char_length(subject_type) <= 32),
        subject_id text check (char_length(subject_id) <= 256),
        client_id text check (char_length(client_id) <= 256),
        ip inet,
        request_id text check (char_length(request_id) <= 128),
        user_agent text check (char_length(user_agent) <= 256),
        detail jsonb not null default '{}'
      )`);
    this.addSql('create index audit_event_action on audit_event (action, id desc)');
    this.addSql(
      'create index audit_event_actor on audit_event (actor_id, id desc) where actor_id is not null',
    );
    this.addSql(
      'create index audit_event_subject on audit_event (subject_id, id desc) where subject_id is not null',
    );
    this.addSql(
      'create index audit_event_client on audit_event (client_id, id desc) where client_id is not null',
    );
    this.addSql("create index audit_event_failure on audit_event (id desc) where outcome = 'failure'");
    this.addSql('create index audit_event_at on audit_event (at)');
  }
}
