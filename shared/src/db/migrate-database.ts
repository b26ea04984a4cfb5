import { createOrm, migrate, type OrmOptions } from './create-orm.ts';

/**
 * Applies the pending committed migrations of one service database on a single connection and
 * closes it; returns the names applied (as stored in `schema_migrations`). What both services'
 * `migrate.ts` run, before their servers start (the servers never migrate at boot).
 */
export async function migrateDatabase(options: Pick<OrmOptions, 'url' | 'migrations'>): Promise<string[]> {
  const orm = await createOrm({ ...options, poolMax: 1 });
  try {
    return await migrate(orm);
  } finally {
    await orm.close(true);
  }
}

/** The line a migration command logs: what it applied, or that there was nothing to do. */
export function migrationSummary(applied: readonly string[]): string {
  return applied.length ? `migrations applied: ${applied.join(', ')}` : 'database is up to date';
}
