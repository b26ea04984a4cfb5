import Router from '@koa/router';
import {
  createAccessLog,
  createErrorHandler,
  createJsonBody,
  createRequestId,
  createSafeInput,
  createSecurityHeaders,
  healthz,
  type Logger,
  type Metrics,
  mountApiReference,
} from '@vectorauth/shared';
import Koa from 'koa';
import { createAdminAuth } from './admin/admin-auth.ts';
import { type AdminOpenApiDocument, createAdminOpenApiDocument } from './admin/admin-openapi-document.ts';
import type { AuthServerConfig } from './config.ts';

/**
 * The admin surface: its own Koa app, bound to ADMIN_HOST:ADMIN_PORT (loopback by default), never
 * mounted on the public port. Everything but `/healthz`, `/metrics`, `/admin/openapi.json` (the
 * OpenAPI 3.1 document of every route here) and `/admin/docs` (that document as an interactive
 * reference, with its assets) needs the admin token.
 */
export function createAdminApp(deps: {
  logger: Logger;
  /** The admin token and the largest JSON body (ADMIN_TOKEN, ADMIN_MAX_BODY_BYTES). */
  config: Pick<AuthServerConfig, 'admin'>;
  metrics: Metrics;
  routers: Router[];
}): Koa {
  const app = new Koa();
  app.proxy = false;
  app.use(createErrorHandler(deps.logger));
  app.use(createSecurityHeaders());
  app.use(createRequestId());
  app.use(createAccessLog(deps.logger));
  app.use(createSafeInput());
  let document: AdminOpenApiDocument | undefined;
  const open = new Router();
  open.get('/healthz', healthz);
  open.get('/metrics', (ctx) => deps.metrics.handler(ctx));
  mountApiReference(open, {
    path: '/admin/docs',
    openApiPath: '/admin/openapi.json',
    title: 'Auth server admin API reference',
    document: () => document,
  });
  document = createAdminOpenApiDocument([open, ...deps.routers]);
  app.use(open.routes());
  app.use(createAdminAuth(deps.config.admin.token));
  app.use(createJsonBody(deps.config.admin.maxBodyBytes));
  for (const router of deps.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
