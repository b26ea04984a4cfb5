import { forwardedProto } from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import type { PageRenderer } from '../pages/renderer.ts';

const MESSAGE = 'This server is only served over https: the request reached the proxy over plain http.';

/**
 * Production behind TRUST_PROXY: a request the proxy marks `X-Forwarded-Proto: http` is refused,
 * never served over http (codes, tokens, passwords and cookies would cross the network in the
 * clear). Browsers get an error page, everything else (OAuth clients) a 400 `invalid_request`
 * as RFC 6749 shapes it. A request without the header (a health check, a resource server
 * fetching keys inside a private network) is not the proxy's, and passes.
 */
export function createRefusePlainHttp(pages: PageRenderer) {
  return async function refusePlainHttp(ctx: Context, next: Next): Promise<void> {
    const forwarded = forwardedProto(ctx);
    if (!forwarded || forwarded === 'https') return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.accepts('json', 'html') === 'html') {
      pages.render(ctx, 'error', { title: 'https required', message: MESSAGE }, 400);
      return;
    }
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: MESSAGE };
  };
}
