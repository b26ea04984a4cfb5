/**
 * A Postgres URL as the services take it: `?pgbouncer=true` (the parameter Prisma users know)
 * says it reaches Postgres through PgBouncer in transaction mode, which refuses startup
 * parameters such as `statement_timeout`; the parameter itself is ours, not the driver's.
 */
export function readDatabaseUrl(value: string): { url: string; pgbouncer: boolean } {
  const url = new URL(value);
  const pgbouncer = url.searchParams.get('pgbouncer') === 'true';
  url.searchParams.delete('pgbouncer');
  return { url: url.toString(), pgbouncer };
}
