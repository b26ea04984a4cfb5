import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadinessCheck } from '../http/health.ts';

/**
 * `/readyz`'s Postgres check: reads one row of each table the request path needs, through the
 * pool (so under its lock and statement timeouts). A table held by an exclusive lock, a database
 * that does not answer or a pool with no free connection makes it fail, not just a dead server.
 */
export function postgresReadiness(orm: MikroORM, tables: readonly string[]): ReadinessCheck {
  const sql = `select ${tables.map((t) => `(select 1 from "${t.replace(/"/g, '""')}" limit 1)`).join(', ')}`;
  return { name: 'postgres', check: () => orm.em.getConnection().execute(sql) };
}
