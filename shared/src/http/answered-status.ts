import type { Context } from 'koa';
import { toAppError } from './to-app-error.ts';

/**
 * The status a request is answered with, seen from a middleware between the error handler and
 * the routes: a thrown error has no status on `ctx` yet (the error handler, outside, sets it), so
 * it is the status that error will get.
 */
export function answeredStatus(ctx: Context, failure: unknown): number {
  return failure === undefined ? ctx.status : toAppError(failure).status;
}
