import type { Context, Next } from 'koa';
import type { Logger } from '../logger/logger.ts';
import { answeredStatus } from './answered-status.ts';

/** One JSON line per request, with the request id, the status answered and the duration. */
export function createAccessLog(logger: Logger) {
  return async function accessLog(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    let failure: unknown;
    try {
      await next();
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: answeredStatus(ctx, failure),
          ms: Math.round((performance.now() - start) * 100) / 100,
        },
        'request',
      );
    }
  };
}
