import { Migration } from '@mikro-orm/migrations';

/** oidc-provider's persisted models, and signing keys with their lifecycle. */
export class Migration20261122002407Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table oidc_model (
        model text not null,
        id text not null,
        payload jsonb not null,
        grant_id text,
        user_code text,
        uid text,
        expires_at timestamptz,
        consumed_at timestamptz,
        primary key (model, id)
      )`);
    this.addSql('create index oidc_model_grant_id on oidc_model (grant_id) where grant_id is not null');
    this.addSql('create index oidc_model_uid on oidc_model (uid) where uid is not null');
    this.addSql('create index oidc_model_user_code on oidc_model (user_code) where user_code is not null');
    this.addSql('create index oidc_model_expires_at on oidc_model (expires_at) where expires_at is not null');
    this.addSql(`
      create table signing_key (
        kid text primary key,
        alg text not null,
        status text not null check (status in ('next', 'current', 'retired', 'revoked')),
        public_jwk jsonb not null,
        private_jwk bytea not null,
        master_key_id text not null,
        created_at timestamptz not null default now(),
        activated_at timestamptz,
        retired_at timestamptz
      )`);
    this.addSql(
      "create unique index signing_key_one_current on signing_key (status) where status = 'current'",
    );
  }
}
