import { AppError, DatabaseUnavailableError, isDatabaseUnavailable } from '@vectorauth/shared';

/**
 * Where Postgres errors enter our code: our own errors pass through, an unreachable, overloaded
 * or stalled database becomes 503 (shared `isDatabaseUnavailable`, by error code), anything else
 * stays an unexpected (500) error.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new DatabaseUnavailableError('the vector database is unavailable', { cause: err });
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
