import { migrateDatabase, runMigrationCommand } from '@vectorauth/shared';
import { loadVectorApiConfig, type VectorApiConfig } from './config.ts';
import { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';

/** Applies the pending migrations of the vector database; returns the names applied. */
export function runVectorApiMigrations(config: Pick<VectorApiConfig, 'databaseUrl'>): Promise<string[]> {
  return migrateDatabase({ url: config.databaseUrl, migrations: VECTOR_MIGRATIONS });
}

/** `node vector-api/src/migrate.ts`: exit 78 naming every bad key, 1 when it cannot migrate. */
if (import.meta.main) await runMigrationCommand('vector-api', loadVectorApiConfig, runVectorApiMigrations);
