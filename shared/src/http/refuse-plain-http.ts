import type { Context, Next } from 'koa';
import { InvalidRequestError } from '../errors/errors.ts';

/** The scheme the (trusted) proxy says the client used, lower-cased: `https` only if every `X-Forwarded-Proto` entry is. */
export function forwardedProto(ctx: Context): string | undefined {
  const entries = ctx
    .get('X-Forwarded-Proto')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  // Every hop must have been https: a proxy that appends passes on whatever the client wrote
  // first (`https, http` is a request that reached the proxy over plain http).
  return entries.find((entry) => entry !== 'https') ?? 'https';
}

/**
 * Production behind TRUST_PROXY, for JSON APIs: a request the proxy marks as plain http is a 400
 * `invalid_request`, never served over http (a bearer token and the data would cross the network
 * in the clear). A request without the header (a health check inside the network) passes.
 */
export async function refusePlainHttp(ctx: Context, next: Next): Promise<void> {
  const proto = forwardedProto(ctx);
  if (proto !== undefined && proto !== 'https') {
    ctx.set('Cache-Control', 'no-store');
    throw new InvalidRequestError(
      'this API is only served over https: the request reached the proxy over plain http',
    );
  }
  await next();
}
