import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { UnsupportedMediaTypeError } from '../errors/errors.ts';

/**
 * Strict JSON bodies: a request with a body must say `application/json`, the body must be an
 * object or array, and at most `limit` bytes (413 beyond).
 */
export function createJsonBody(limit: string | number) {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8', jsonStrict: true });
  return async function jsonBody(ctx: Context, next: Next): Promise<void> {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) throw new UnsupportedMediaTypeError();
    await parse(ctx, next);
  };
}
