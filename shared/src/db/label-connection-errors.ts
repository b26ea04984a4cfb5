/** The code we give pg's own verdicts on a broken link (they come without any). */
export const DB_CONNECTION_LOST = 'DB_CONNECTION_LOST';

interface PgClientLike {
  query: (...args: unknown[]) => unknown;
  end: () => Promise<void>;
}
interface PgPoolLike {
  connect: (...args: unknown[]) => unknown;
  on(event: 'connect', listener: (client: PgClientLike) => void): unknown;
}

/** Errors after which the connection itself is gone: server shutdown or termination, link lost. */
const CONNECTION_GONE = new Set([DB_CONNECTION_LOST, '57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE']);

/**
 * Every answer of the server carries a SQLSTATE `code`; the errors pg raises itself about the
 * link ("Connection terminated unexpectedly", connect and query read timeouts, pool acquire
 * timeouts, "not queryable") are plain `Error`s without one. Where they leave pg (acquiring a
 * client, running a query) they get `code: DB_CONNECTION_LOST`, so `isDatabaseUnavailable`
 * decides by codes only. TypeErrors and the like (our bugs) keep their shape.
 *
 * A client whose connection is gone (terminated by the server, link lost) is ended at once, so
 * the pool discards it when it comes back instead of lending it to the next request.
 */
export function labelConnectionErrors(pool: PgPoolLike): void {
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => (args.length ? connect(...args) : labelled(connect()));
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (...args: unknown[]) => labelled(query(...args), client);
  });
}

function labelled(result: unknown, client?: PgClientLike): unknown {
  if (!(result instanceof Promise)) return result; // callback or submittable (cursor) forms
  return result.catch((err: unknown) => {
    if (err instanceof Error && err.constructor === Error && (err as { code?: unknown }).code === undefined) {
      Object.assign(err, { code: DB_CONNECTION_LOST });
    }
    const code = (err as { code?: unknown } | undefined)?.code;
    if (client && typeof code === 'string' && (CONNECTION_GONE.has(code) || code.startsWith('08'))) {
      client.end().catch(() => undefined);
    }
    throw err;
  });
}
