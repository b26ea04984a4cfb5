import type { Context, Next } from 'koa';
import { InvalidRequestError } from '../errors/errors.ts';

/** The scheme the (trusted) proxy says the client used: the first `X-Forwarded-Proto` value, lower-cased. */
export function forwardedProto(ctx: Context): string | undefined {
  return ctx.get('X-Forwarded-Proto').split(',')[0]?.trim().toLowerCase() || undefined;
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
