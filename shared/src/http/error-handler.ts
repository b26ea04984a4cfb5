import type { Context, Next } from 'koa';
import { type AppError, DatabaseUnavailableError, ServiceUnavailableError } from '../errors/errors.ts';
import type { Logger } from '../logger/logger.ts';
import { toAppError } from './to-app-error.ts';

/** Renders an error as an HTML page (server-rendered pages' own format). */
export type ErrorPage = (ctx: Context, error: AppError) => void;

/**
 * The first middleware of every app: turns any thrown error into `{error, message}` with the
 * error's status and headers (or, given `page`, an HTML error page for a browser that prefers
 * HTML); logs every 5xx with the request id and never sends its details. A dependency being away
 * is a warning without a stack (`database unavailable` for Postgres, `redis unavailable`,
 * `jwks unavailable`), not an error: the 503 says what happened, and the metrics middleware
 * counts it in `dependency_unavailable_total`.
 */
export function createErrorHandler(logger: Logger, options: { page?: ErrorPage } = {}) {
  return async function errorHandler(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      // A status without a body (404 from no route, 405 from a router) still gets our error shape.
      if (ctx.status >= 400 && ctx.body == null && ctx.respond !== false) {
        throw toAppError({ status: ctx.status, allow: ctx.response.get('Allow') });
      }
    } catch (err) {
      const appError = toAppError(err);
      if (appError instanceof ServiceUnavailableError && appError.dependency) {
        logger.warn(
          {
            code: causeCode(err),
            dependency: appError.dependency,
            requestId: ctx.state.requestId,
            path: ctx.path,
          },
          appError instanceof DatabaseUnavailableError
            ? 'database unavailable'
            : `${appError.dependency} unavailable`,
        );
      } else if (appError.status >= 500) {
        logger.error({ err, requestId: ctx.state.requestId, path: ctx.path }, 'request failed');
      }
      ctx.status = appError.status;
      for (const [k, v] of Object.entries(appError.headers)) ctx.set(k, v);
      if (options.page && ctx.accepts('json', 'html') === 'html') options.page(ctx, appError);
      else ctx.body = { error: appError.code, message: appError.message };
    }
  };
}

/** The first error code along the cause chain (the log says which failure it was). */
function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'service_unavailable') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
