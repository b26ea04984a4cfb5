import { ConnectionException } from '@mikro-orm/core';
import { DB_CONNECTION_LOST } from './label-connection-errors.ts';

/**
 * Whether a database error means "Postgres cannot be asked right now" (down, unreachable, shutting
 * down, out of connections, or stalled past our statement / lock / connect timeouts) rather than
 * "this statement is wrong". Decided by error codes only, along the `cause` chain:
 * - Node socket codes (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...);
 * - SQLSTATE class 08 (connection exception), 57P01-57P05 (shutdown, cannot connect now, idle
 *   session timeouts), 53300 (too many connections), 57014 (statement timeout / cancel), 55P03
 *   (lock timeout), 25P03 (idle-in-transaction timeout);
 * - `DB_CONNECTION_LOST`, which `labelConnectionErrors` gives pg's own codeless verdicts on the
 *   link (connection terminated, connect or query read timeout, pool acquire timeout);
 * - MikroORM's `ConnectionException` (its own classification of the same codes).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const { code, sqlState } = e as { code?: unknown; sqlState?: unknown };
    if (typeof code === 'string' && unavailableCode(code)) return true;
    if (typeof sqlState === 'string' && unavailableCode(sqlState)) return true;
    if (e instanceof ConnectionException) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

const SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P04', '57P05', '53300', '57014', '55P03', '25P03']);

function unavailableCode(code: string): boolean {
  return (
    code === DB_CONNECTION_LOST ||
    SOCKET_CODES.has(code) ||
    SQLSTATES.has(code) ||
    (code.length === 5 && code.startsWith('08'))
  );
}
