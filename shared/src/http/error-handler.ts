import type { Context, Next } from 'koa';
import type { Logger } from '../logger/logger.ts';
import { toAppError } from './to-app-error.ts';

/**
 * The first middleware of every app: turns any thrown error into `{error, message}` with the
 * error's status and headers; logs every 5xx with the request id and never sends its details.
 */
export function createErrorHandler(logger: Logger) {
  return async function errorHandler(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      // A status without a body (404 from no route, 405 from a router) still gets our error shape.
      if (ctx.status >= 400 && ctx.body == null && ctx.respond !== false) {
        throw toAppError({ status: ctx.status, allow: ctx.response.get('Allow') });
      }
    } catch (err) {
      const appError = toAppError(err);
      if (appError.status >= 500) {
        logger.error({ err, requestId: ctx.state.requestId, path: ctx.path }, 'request failed');
      }
      ctx.status = appError.status;
      for (const [k, v] of Object.entries(appError.headers)) ctx.set(k, v);
      ctx.body = { error: appError.code, message: appError.message };
    }
  };
}
