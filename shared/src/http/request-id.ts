import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane `X-Request-Id` from the caller or makes one; echoes it and keeps it in state. */
export function createRequestId() {
  return async function requestId(ctx: Context, next: Next): Promise<void> {
    const given = ctx.get('x-request-id');
    const id = ACCEPTABLE.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
