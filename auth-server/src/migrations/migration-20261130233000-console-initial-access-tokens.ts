import { Migration } from '@mikro-orm/migrations';

/**
 * Which account created which RFC 7591 initial access token in the developer console, so the
 * console can list and delete them. `token_id` is oidc-provider's id of the token (for an opaque
 * token, its value): never shown again, the console names a token by `id`.
 */
export class Migration20261130233000ConsoleInitialAccessTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table console_initial_access_token (
        id uuid primary key,
        token_id text not null unique,
        account_id uuid not null references account (id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      )`);
    this.addSql(
      'create index console_initial_access_token_account on console_initial_access_token (account_id)',
    );
  }
}
