import type Router from '@koa/router';
import {
  createAccessLog,
  createErrorHandler,
  createReadyz,
  createRequestId,
  createSafeInput,
  createSafeRawBody,
  createSecurityHeaders,
  type ErrorPage,
  healthz,
  type Logger,
  type Metrics,
  PAGE_CSP,
  type ReadinessCheck,
} from '@vectorauth/shared';
import Koa, { type Middleware } from 'koa';
import type { AuthServerConfig } from './config.ts';
import { createRefusePlainHttp } from './https/refuse-plain-http.ts';
import { secureCookies } from './https/secure-cookies.ts';
import type { OidcCallback } from './oidc/provider-holder.ts';
import { createRefuseInput } from './pages/refuse-input.ts';
import type { PageRenderer } from './pages/renderer.ts';

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
  /** Renders the error page of a refused browser request (bad input, plain http in production). */
  pages: PageRenderer;
  /**
   * Cookie keys; TRUST_PROXY: trust X-Forwarded-* (only behind a TLS-terminating proxy that sets
   * them); production: cookies always `Secure`, and behind a proxy `X-Forwarded-Proto: http` refused.
   */
  config: Pick<AuthServerConfig, 'cookieKeys' | 'trustProxy' | 'nodeEnv'>;
  /** Rate limits of the OAuth endpoints and registration, before oidc-provider sees the request. */
  oauthLimits: Middleware;
}): Koa {
  const app = new Koa();
  const { cookieKeys, trustProxy, nodeEnv } = deps.config;
  const production = nodeEnv === 'production';
  app.keys = [...cookieKeys];
  app.proxy = trustProxy;
  // The client's address is the one the proxy appended (the last of X-Forwarded-For): what comes
  // before it is whatever the client sent, and would let anyone pick the address rate limits,
  // the sign-in throttle (an owner's known address) and the audit trail see.
  app.maxIpsCount = 1;
  const readyz = createReadyz(deps.readiness);
  const refuse = createRefuseInput(deps);
  app.use(createErrorHandler(deps.logger, { page: errorPageOf(deps.pages) }));
  app.use(createSecurityHeaders({ csp: PAGE_CSP }));
  app.use(createRequestId());
  app.use(createAccessLog(deps.logger));
  app.use(deps.metrics.middleware);
  app.use(createSafeInput({ refuse, cookies: true }));
  app.use(async function routes(ctx, next) {
    if (ctx.method === 'GET' && ctx.path === '/healthz') return healthz(ctx);
    if (ctx.method === 'GET' && ctx.path === '/readyz') return readyz(ctx);
    await next();
  });
  if (production && trustProxy) app.use(createRefusePlainHttp(refuse));
  if (production) app.use(secureCookies);
  app.use(pagesExceptOauthEndpoints(deps.pageRouter.routes()));
  app.use(deps.oauthLimits);
  // oidc-provider parses its own bodies (at most 56 KiB): read and checked here, then replayed to it.
  app.use(createSafeRawBody({ limit: 56 * 1024, refuse }));
  app.use(async function openidProvider(ctx) {
    ctx.respond = false;
    await deps.oidc()(ctx.req, ctx.res);
  });
  return app;
}

/**
 * oidc-provider's OAuth endpoints (`/token`, `/token/introspection`, `/token/revocation`, `/reg`,
 * `/reg/:clientId`), in any case and with a trailing slash as its router matches them. No page
 * lives under these paths, so the page router never matched them: they skip its matching.
 */
const OAUTH_ENDPOINTS = /^\/(?:token|reg)(?:\/|$)/i;

type RouterMiddleware = ReturnType<Router['routes']>;

/** The page router, which requests to the OAuth endpoints pass by unchanged. */
function pagesExceptOauthEndpoints(pages: RouterMiddleware): RouterMiddleware {
  return function pagesExceptOauthEndpoints(ctx, next) {
    return OAUTH_ENDPOINTS.test(ctx.path) ? next() : pages(ctx, next);
  };
}

/** Errors of the pages as an HTML page when the browser prefers HTML. */
function errorPageOf(pages: PageRenderer): ErrorPage {
  return function errorPage(ctx, error) {
    pages.render(
      ctx,
      'error',
      { title: 'This request cannot be completed', message: error.message },
      error.status,
    );
  };
}
