import { createLogger, createOrm, migrate } from '@vectorauth/shared';
import { type AuthServerConfig, loadAuthServerConfig } from './config.ts';
import { authServerMigrations } from './migrations/migrations.ts';

/** Applies pending migrations to the auth database; returns the names applied. */
export async function runAuthServerMigrations(
  config: Pick<AuthServerConfig, 'databaseUrl'>,
): Promise<string[]> {
  const orm = await createOrm({
    url: config.databaseUrl,
    entities: [],
    migrations: authServerMigrations,
    poolMax: 1,
  });
  try {
    return await migrate(orm);
  } finally {
    await orm.close();
  }
}

if (import.meta.main) {
  const config = loadAuthServerConfig(process.env);
  const logger = createLogger({ name: 'auth-server', level: config.logLevel });
  const applied = await runAuthServerMigrations(config);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
}
