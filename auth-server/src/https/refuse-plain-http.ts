import { forwardedProto, type RefuseInput } from '@vectorauth/shared';
import type { Context, Next } from 'koa';

const MESSAGE = 'This server is only served over https: the request reached the proxy over plain http.';

/**
 * Production behind TRUST_PROXY: a request the proxy marks `X-Forwarded-Proto: http` is refused,
 * never served over http (codes, tokens, passwords and cookies would cross the network in the
 * clear), through the public port's one way of refusing a request (`refuse`: an error page where
 * a browser is, RFC 6749's `invalid_request` on OAuth endpoints). A request without the header
 * (a health check, a resource server fetching keys inside a private network) is not the
 * proxy's, and passes.
 */
export function createRefusePlainHttp(refuse: RefuseInput) {
  return async function refusePlainHttp(ctx: Context, next: Next): Promise<void> {
    const forwarded = forwardedProto(ctx);
    if (!forwarded || forwarded === 'https') return next();
    ctx.set('Cache-Control', 'no-store');
    refuse(ctx, MESSAGE);
  };
}
