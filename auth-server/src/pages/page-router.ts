import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { createAccountRoutes } from './account-routes.ts';
import { createAppReturns } from './app-return.ts';
import { createDeveloperRoutes } from './developer-routes.ts';
import { createInteractionRoutes } from './interaction-routes.ts';
import type { PageDeps } from './page-deps.ts';
import { createPageForm } from './page-form.ts';
import { createPasswordRoutes } from './password-routes.ts';
import { createSignupRoutes } from './signup-routes.ts';

const STYLESHEET = readFileSync(new URL('./static/style.css', import.meta.url));

function serveStylesheet(ctx: Context): void {
  ctx.type = 'text/css; charset=utf-8';
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.body = STYLESHEET;
}

/** Every server-rendered page, behind one form parser with CSRF checks. */
export function createPageRouter(
  deps: PageDeps & {
    /** Rate limits of form posts (after parsing: they need the e-mail field). */
    formLimits: Middleware;
    /** Sign-in through upstream providers (federation-routes.ts). */
    federationRoutes?: Router;
    /** `/` (front-door-routes.ts). */
    frontDoor: Router;
  },
): Router {
  const router = new Router();
  // Sign-up and password reset started from an app's sign-in step lead back to it (app-return.ts).
  const flowDeps = { ...deps, appReturns: createAppReturns(deps.provider) };
  router.get('/static/style.css', serveStylesheet);
  // Pages carry forms and CSRF tokens, and their redirects lead to codes: no answer is ever cached
  // (set first, so redirects and refusals carry it too).
  router.use(async function noStore(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.use(createPageForm(deps));
  router.use(deps.formLimits);
  for (const child of [
    deps.frontDoor,
    createSignupRoutes(flowDeps),
    createPasswordRoutes(flowDeps),
    createInteractionRoutes(deps),
    createAccountRoutes(deps),
    createDeveloperRoutes(deps),
    ...(deps.federationRoutes ? [deps.federationRoutes] : []),
  ]) {
    router.use(child.routes());
  }
  return router;
}
