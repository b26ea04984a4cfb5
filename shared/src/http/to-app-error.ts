import { translateDbError } from '../db/translate-db-error.ts';
import {
  AppError,
  InternalError,
  InvalidJsonError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors/errors.ts';

interface HttpLike {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
  allow?: string;
}

/**
 * Translates what Koa and its body parser throw (http-errors with `status` and `type`) into our
 * typed errors, and a database that cannot be asked into a 503 (`translateDbError`). Anything
 * else is an internal error whose message never reaches the client.
 */
export function toAppError(err: unknown): AppError {
  const translated = translateDbError(err);
  if (translated instanceof AppError) return translated;
  const e = (err ?? {}) as HttpLike;
  const status = e.status ?? e.statusCode;
  if (status === 413 || e.type === 'entity.too.large') return new PayloadTooLargeError();
  // co-body (under @koa/bodyparser) rethrows JSON.parse's SyntaxError with status 400.
  if (e.type === 'entity.parse.failed' || (status === 400 && err instanceof SyntaxError))
    return new InvalidJsonError();
  if (status === 415) return new UnsupportedMediaTypeError();
  if (status === 404) return new NotFoundError();
  if (status === 405 || status === 501) return new MethodNotAllowedError(e.allow ?? '');
  if (status && status >= 400 && status < 500) {
    return new InvalidRequestError(e.expose && e.message ? e.message : 'the request is malformed');
  }
  return new InternalError();
}
