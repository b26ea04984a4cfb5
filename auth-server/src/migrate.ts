import { migrateDatabase, runMigrationCommand } from '@vectorauth/shared';
import { type AuthServerConfig, loadAuthServerConfig } from './config.ts';
import { AUTH_MIGRATIONS } from './migrations/auth-migrations.ts';

/** Applies the pending migrations of the auth database; returns the names applied. */
export function runAuthServerMigrations(config: Pick<AuthServerConfig, 'databaseUrl'>): Promise<string[]> {
  return migrateDatabase({ url: config.databaseUrl, migrations: AUTH_MIGRATIONS });
}

/** `node auth-server/src/migrate.ts`: exit 78 naming every bad key, 1 when it cannot migrate. */
if (import.meta.main) await runMigrationCommand('auth-server', loadAuthServerConfig, runAuthServerMigrations);
