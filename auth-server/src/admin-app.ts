import type Router from '@koa/router';
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
} from '@vectorauth/shared';
import Koa from 'koa';
import { createAdminAuth } from './admin/admin-auth.ts';

/**
 * The admin surface: its own Koa app, bound to ADMIN_HOST:ADMIN_PORT (loopback by default), never
 * mounted on the public port. Everything but `/healthz` and `/metrics` needs the admin token.
 */
export function createAdminApp(deps: {
  logger: Logger;
  adminToken: string;
  maxBodyBytes: number;
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
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/healthz') return healthz(ctx);
    if (ctx.method === 'GET' && ctx.path === '/metrics') return deps.metrics.handler(ctx);
    await next();
  });
  app.use(createAdminAuth(deps.adminToken));
  app.use(createJsonBody(deps.maxBodyBytes));
  for (const router of deps.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
