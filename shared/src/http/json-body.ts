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
    try {
      await parse(ctx, async () => undefined);
    } catch (err) {
      // The parser's own refusals carry an HTTP status (413, 415, invalid JSON); what comes without
      // one is the body's Content-Encoding failing to decode (zlib, brotli): the client's bytes.
      const status = (err as { status?: unknown } | null)?.status;
      if (typeof status === 'number') throw err;
      throw new InvalidRequestError(
        'The request body cannot be read: it does not decode as its Content-Encoding says.',
      );
    }
    const problem = valueProblem(ctx.request.body);
    if (problem) throw new InvalidRequestError(`The request was refused: ${problem}.`);
    await next();
  };
}
