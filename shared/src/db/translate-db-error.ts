import { AppError, DatabaseUnavailableError } from '../errors/errors.ts';
import { isDatabaseUnavailable } from './database-unavailable.ts';

/**
 * The one translation of database errors, for both services (`toAppError` at every error handler,
 * `withDbErrors` around repository calls): our own errors pass through; a Postgres that cannot be
 * asked (`isDatabaseUnavailable`: down, unreachable, overloaded, past our timeouts) becomes
 * `DatabaseUnavailableError`, a 503 `service_unavailable` with Retry-After that the error handler
 * logs as the warning `database unavailable`. Anything else comes back unchanged: a constraint
 * violation keeps its meaning for the repository that catches it (a 409, "already there"), and a
 * bug stays a 500.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError || !isDatabaseUnavailable(err)) return err;
  return new DatabaseUnavailableError(undefined, { cause: err });
}

/** Runs a database operation with its errors translated (`translateDbError`). */
export async function withDbErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw translateDbError(err);
  }
}
