import type { Context, Next } from 'koa';
import type { Logger } from '../logger/logger.ts';
import { afterRequest } from './after-request.ts';
import { answeredStatus } from './answered-status.ts';

/** One JSON line per request, with the request id, the status answered and the duration. */
export function createAccessLog(logger: Logger) {
  return async function accessLog(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    await afterRequest(next, (failure) =>
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: answeredStatus(ctx, failure),
          ms: Math.round((performance.now() - start) * 100) / 100,
        },
        'request',
      ),
    );
  };
}
