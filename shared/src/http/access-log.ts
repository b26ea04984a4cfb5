import type { Context, Next } from 'koa';
import type { Logger } from '../logger/logger.ts';

/** One JSON line per request, with the request id, status and duration. */
export function createAccessLog(logger: Logger) {
  return async function accessLog(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    try {
      await next();
    } finally {
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round((performance.now() - start) * 100) / 100,
        },
        'request',
      );
    }
  };
}
