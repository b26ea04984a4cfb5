import type { MikroORM } from '@mikro-orm/postgresql';

interface PgClientLike {
  connection?: { stream?: { destroy(): void } };
  /** Set by the pool while the client is lent out: gives it back (with an error: to be removed). */
  release?: (err?: Error) => void;
}
interface PgPoolLike {
  on(event: 'connect' | 'remove', listener: (client: PgClientLike) => void): unknown;
}

/** The open connections of a pool, as it reports them ('connect', 'remove'). */
export type OpenConnections = Set<PgClientLike>;

/** The pooled connections of each ORM createOrm made. */
const connections = new WeakMap<object, OpenConnections>();

/** Follows the connections of `pool` into `open` (createOrm calls it with the pool it builds). */
export function trackConnections(pool: PgPoolLike, open: OpenConnections): void {
  pool.on('connect', (client) => open.add(client));
  pool.on('remove', (client) => open.delete(client));
}

/** Makes `open` the connections `closeOrm` destroys for `orm` when they are not given back. */
export function rememberConnections(orm: MikroORM, open: OpenConnections): void {
  connections.set(orm, open);
}

/**
 * Closes the ORM's pool: connections in use are waited for, at most `graceMs`; then their sockets
 * are destroyed and they are taken back from whoever holds them, so that a connection lent out
 * and never given back (an operation cut short by an outage) cannot hold a shutdown forever. A
 * query on one fails as on a lost connection.
 */
export async function closeOrm(orm: MikroORM, graceMs = 5_000): Promise<void> {
  const closing = orm.close(true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  try {
    if ((await Promise.race([closing, late])) !== 'late') return;
    for (const client of connections.get(orm) ?? []) {
      client.connection?.stream?.destroy();
      try {
        client.release?.(new Error('connection cut at shutdown'));
      } catch {
        // already given back meanwhile
      }
    }
    await closing;
  } finally {
    clearTimeout(timer);
  }
}
