import { createOrm, migrate } from '@vectorauth/shared';
import { loadVectorApiConfig, type VectorApiConfig } from './config.ts';
import { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';

/** Applies the pending migrations of the vector database; returns the names applied. */
export async function runVectorApiMigrations(
  config: Pick<VectorApiConfig, 'databaseUrl'>,
): Promise<string[]> {
  const orm = await createOrm({
    url: config.databaseUrl,
    entities: [],
    migrations: VECTOR_MIGRATIONS,
    poolMax: 1,
  });
  try {
    return await migrate(orm);
  } finally {
    await orm.close(true);
  }
}

if (import.meta.main) {
  const applied = await runVectorApiMigrations(loadVectorApiConfig(process.env));
  console.log(applied.length ? `vector-api: applied ${applied.join(', ')}` : 'vector-api: schema up to date');
}
