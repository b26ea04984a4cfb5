import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { InvalidRequestError, UnsupportedMediaTypeError } from '../errors/errors.ts';
import { valueProblem } from './input-problem.ts';

/**
 * Strict JSON bodies: a request with a body must say `application/json`, the body must be an
 * object or array, and at most `limit` bytes (413 beyond); no string in it, key or value, may be one
 * Postgres refuses (a NUL, a lone surrogate: 400, see input-problem.ts).
 */
export function createJsonBody(limit: string | number) {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8', jsonStrict: true });
  return async function jsonBody(ctx: Context, next: Next): Promise<void> {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) throw new UnsupportedMediaTypeError();
    await parse(ctx, async () => undefined);
    const problem = valueProblem(ctx.request.body);
    if (problem) throw new InvalidRequestError(`The request was refused: ${problem}.`);
    await next();
  };
}
