import type { Next } from 'koa';

/**
 * Runs the rest of the chain, then `done` with what it threw (undefined when it returned), and
 * rethrows: for middleware that records every request, answered or failed (access log, metrics).
 */
export async function afterRequest(next: Next, done: (failure: unknown) => void): Promise<void> {
  let failure: unknown;
  try {
    await next();
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    done(failure);
  }
}
