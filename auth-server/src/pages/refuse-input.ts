import type Router from '@koa/router';
import { InvalidRequestError, type RefuseInput } from '@vectorauth/shared';
import type { Context } from 'koa';
import type { PageRenderer } from './renderer.ts';

/** oidc-provider's endpoints that a browser navigates to: authorization (and its resume), logout. */
const PROVIDER_PAGES = /^\/(auth|session\/end)(\/|$)/;
/** The public app's own JSON endpoints (public-app.ts); everything else not a page is oidc-provider's. */
const OWN_JSON = /^\/(healthz|readyz)$/;

/**
 * How the public port refuses unusable input (safe-input.ts), in the endpoint's own format: an
 * error page where a browser is (our pages, found in their router, and oidc-provider's browser
 * endpoints), `{error, message}` on the health endpoints, and RFC 6749's `invalid_request` JSON
 * on every OAuth endpoint.
 */
export function createRefuseInput(deps: { pages: PageRenderer; pageRouter: Router }): RefuseInput {
  const isPage = (ctx: Context) =>
    PROVIDER_PAGES.test(ctx.path) || deps.pageRouter.match(ctx.path, ctx.method).route;
  return (ctx, message) => {
    if (isPage(ctx)) {
      return deps.pages.render(ctx, 'error', { title: 'This request cannot be completed', message }, 400);
    }
    if (OWN_JSON.test(ctx.path)) throw new InvalidRequestError(message);
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'invalid_request', error_description: message };
  };
}
