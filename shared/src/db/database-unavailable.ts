/**
 * Whether a database error means "Postgres cannot be asked right now" (down, unreachable, shutting
 * down, out of connections, or stalled past our statement / lock / connect timeouts) rather than
 * "this statement is wrong". Decided by error codes only, along the `cause` chain:
 * - Node socket codes (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...);
 * - SQLSTATE class 08 (connection exception), 57P01-57P05 (shutdown, cannot connect now, idle
 *   session timeouts), 53300 (too many connections), 57014 (statement timeout / cancel), 55P03
 *   (lock timeout), 25P03 (idle-in-transaction timeout);
 * - an error of the pg driver without any SQLSTATE: every answer of the server carries one, so a
 *   codeless driver error is the client's own verdict on the link (connection terminated, connect
 *   or query read timeout, pool acquire timeout).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const { code, sqlState, name } = e as { code?: unknown; sqlState?: unknown; name?: unknown };
    if (typeof code === 'string' && unavailableCode(code)) return true;
    if (typeof sqlState === 'string' && unavailableCode(sqlState)) return true;
    // MikroORM wraps every driver error; with neither code nor SQLSTATE it came from the client.
    if (name === 'DriverException' && code === undefined && sqlState === undefined) return true;
    if (name === 'ConnectionException') return true;
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
  return SOCKET_CODES.has(code) || SQLSTATES.has(code) || (code.length === 5 && code.startsWith('08'));
}
