import type Router from '@koa/router';
import {
  createAccessLog,
  createErrorHandler,
  createReadyz,
  createRequestId,
  createSecurityHeaders,
  type ErrorPage,
  healthz,
  type Logger,
  type Metrics,
  PAGE_CSP,
  type ReadinessCheck,
} from '@vectorauth/shared';
import Koa, { type Middleware } from 'koa';
import type { OidcCallback } from './oidc/provider-holder.ts';

/**
 * The public surface: health endpoints, then oidc-provider (discovery, JWKS, authorization,
 * token, revocation, introspection). oidc-provider answers its own errors as RFC 6749 says.
 * `oidc` gives the live Provider's handler: each request is served to its end by the Provider
 * that was live when it arrived, even when the signing keys change meanwhile.
 */
export function createPublicApp(deps: {
  logger: Logger;
  oidc: () => OidcCallback;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  pageRouter: Router;
  cookieKeys: readonly string[];
  /** Rate limits of the OAuth endpoints and registration, before oidc-provider sees the request. */
  oauthLimits: Middleware;
  /** Trust X-Forwarded-* (only behind a TLS-terminating proxy that sets them). */
  trustProxy: boolean;
  /** Errors of the pages as an HTML page when the browser prefers HTML. */
  errorPage?: ErrorPage;
}): Koa {
  const app = new Koa();
  app.keys = [...deps.cookieKeys];
  app.proxy = deps.trustProxy;
  const readyz = createReadyz(deps.readiness);
  app.use(createErrorHandler(deps.logger, { page: deps.errorPage }));
  app.use(createSecurityHeaders({ csp: PAGE_CSP }));
  app.use(createRequestId());
  app.use(createAccessLog(deps.logger));
  app.use(deps.metrics.middleware);
  app.use(async function routes(ctx, next) {
    if (ctx.method === 'GET' && ctx.path === '/healthz') return healthz(ctx);
    if (ctx.method === 'GET' && ctx.path === '/readyz') return readyz(ctx);
    await next();
  });
  app.use(deps.pageRouter.routes());
  app.use(deps.oauthLimits);
  app.use(async function openidProvider(ctx) {
    ctx.respond = false;
    await deps.oidc()(ctx.req, ctx.res);
  });
  return app;
}
