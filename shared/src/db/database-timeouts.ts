import { wholeNumber } from '../config/env-schemas.ts';

/** How long one database round trip may take before it is a 503 instead of a hang. */
export interface DatabaseTimeouts {
  /** Postgres `statement_timeout`: any statement running longer is cancelled (57014). */
  statementTimeoutMs: number;
  /** Postgres `lock_timeout`: waiting longer for a lock fails the statement (55P03). */
  lockTimeoutMs: number;
  /** Opening a connection, or waiting for a free one in the pool. */
  connectTimeoutMs: number;
}

const ms = (fallback: number) => wholeNumber(100, 600_000).default(fallback);

/** The env vars both services read (spread into their config schema). */
export const databaseTimeoutEnv = () => ({
  DB_STATEMENT_TIMEOUT_MS: ms(5000),
  DB_LOCK_TIMEOUT_MS: ms(2000),
  DB_CONNECT_TIMEOUT_MS: ms(2000),
});

export function databaseTimeouts(raw: {
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_LOCK_TIMEOUT_MS: number;
  DB_CONNECT_TIMEOUT_MS: number;
}): DatabaseTimeouts {
  return {
    statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: raw.DB_LOCK_TIMEOUT_MS,
    connectTimeoutMs: raw.DB_CONNECT_TIMEOUT_MS,
  };
}

/**
 * The pg connection options that enforce them: server-side statement and lock timeouts (startup
 * parameters, which PgBouncer refuses: behind one, `serverSide: false`, and its `connect_query`
 * sets them on its server connections), a client-side read timeout a little longer (a server
 * that stops answering altogether), and the connect / pool-acquire timeout.
 */
export function pgTimeoutOptions(t: DatabaseTimeouts, serverSide = true) {
  return {
    ...(serverSide ? { statement_timeout: t.statementTimeoutMs, lock_timeout: t.lockTimeoutMs } : {}),
    query_timeout: t.statementTimeoutMs + t.connectTimeoutMs,
    connectionTimeoutMillis: t.connectTimeoutMs,
    keepAlive: true,
  };
}
