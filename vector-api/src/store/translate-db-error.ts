import { ConnectionException, DriverException } from '@mikro-orm/core';
import { AppError, ServiceUnavailableError } from '@vectorauth/shared';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
]);

function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Where Postgres errors enter our code: our own errors pass through, an unreachable or
 * overloaded database becomes 503, anything else stays an unexpected (500) error.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof ConnectionException || codeOf(err)) {
    return new ServiceUnavailableError('the vector database is unavailable', 'postgres');
  }
  if (err instanceof DriverException && /timeout|terminat|connect/i.test(err.message)) {
    return new ServiceUnavailableError('the vector database is unavailable', 'postgres');
  }
  return err;
}

/** Runs a database operation with its errors translated. */
export async function withDbErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw translateDbError(err);
  }
}
