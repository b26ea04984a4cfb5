import type { Migration } from '@mikro-orm/migrations';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { type OpenConnections, rememberConnections, trackConnections } from './close-orm.ts';
import { type DatabaseTimeouts, pgTimeoutOptions } from './database-timeouts.ts';
import { readDatabaseUrl } from './database-url.ts';
import { labelConnectionErrors } from './label-connection-errors.ts';

export type { MikroORM };

export interface OrmOptions {
  url: string;
  migrations: { name: string; class: new (...args: never[]) => Migration }[];
  /** Pool size; each service keeps it small (2 cores). */
  poolMax?: number;
  debug?: boolean;
  /** Statement, lock and connect timeouts of every pooled connection (none for migrations). */
  timeouts?: DatabaseTimeouts;
}

/**
 * One MikroORM per service database, for its connection pool, transactions, error translation and
 * migrations. The committed migrations listed in `migrations` are the schema (never
 * `schema.update()`; `migrate()` applies the pending ones) and repositories speak SQL through
 * `em.execute`: there are no entities.
 */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  const { url, pgbouncer } = readDatabaseUrl(options.url);
  const open: OpenConnections = new Set();
  const orm = await MikroORM.init({
    clientUrl: url,
    entities: [],
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: options.poolMax ?? 10 },
    driverOptions: {
      ...(options.timeouts ? pgTimeoutOptions(options.timeouts, !pgbouncer) : {}),
      onPoolCreated: (
        pool: Parameters<typeof labelConnectionErrors>[0] & Parameters<typeof trackConnections>[0],
      ) => {
        labelConnectionErrors(pool);
        trackConnections(pool, open);
      },
    },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    migrations: {
      migrationsList: options.migrations as never,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
      tableName: 'schema_migrations',
    },
  });
  rememberConnections(orm, open);
  return orm;
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
