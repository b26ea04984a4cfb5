import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { createAccountRoutes } from './account-routes.ts';
import { createApiKeyRoutes } from './api-key-routes.ts';
import { createAppReturns } from './app-return.ts';
import { type Brand, brandStylesheet } from './brand.ts';
import { createDeveloperRoutes } from './developer-routes.ts';
import { createConfirmIdentityRoutes } from './fresh-sign-in.ts';
import { createInteractionRoutes } from './interaction-routes.ts';
import type { PageDeps } from './page-deps.ts';
import { createPageForm } from './page-form.ts';
import { createPasskeyRoutes } from './passkey-routes.ts';
import { createPasswordRoutes } from './password-routes.ts';
import { createSignupRoutes } from './signup-routes.ts';
import { createTwoStepRoutes } from './two-step-routes.ts';

const STYLESHEET = readFileSync(new URL('./static/style.css', import.meta.url));
const SHOW_PASSWORD = readFileSync(new URL('./static/show-password.js', import.meta.url));
const PASSKEYS = readFileSync(new URL('./static/passkeys.js', import.meta.url));
/** @simplewebauthn/browser's own bundle (the WebAuthn ceremonies in the browser), served by us. */
const WEBAUTHN_BROWSER = readFileSync(
  new URL(
    '../dist/bundle/index.umd.min.js',
    pathToFileURL(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
  ),
);

/** A static file of the pages, cached for an hour. */
function serveStatic(type: string, body: Buffer | string) {
  return function serveStatic(ctx: Context): void {
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = body;
  };
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
    /** The operator's colour and logo (brand.ts). */
    brand?: Brand;
  },
): Router {
  const router = new Router();
  router.get('/static/style.css', serveStatic('text/css; charset=utf-8', STYLESHEET));
  router.get(
    '/static/brand.css',
    serveStatic('text/css; charset=utf-8', brandStylesheet(deps.brand ?? { name: '' })),
  );
  router.get('/static/show-password.js', serveStatic('text/javascript; charset=utf-8', SHOW_PASSWORD));
  router.get('/static/passkeys.js', serveStatic('text/javascript; charset=utf-8', PASSKEYS));
  router.get(
    '/static/simplewebauthn-browser.js',
    serveStatic('text/javascript; charset=utf-8', WEBAUTHN_BROWSER),
  );
  const logo = deps.brand?.logo;
  if (logo) router.get('/static/brand-logo', serveStatic(logo.type, logo.bytes));
  // Sign-up and password reset started from an app's sign-in step lead back to it (app-return.ts).
  const flowDeps = { ...deps, appReturns: createAppReturns(deps.provider, deps.clients) };
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
    createTwoStepRoutes(deps),
    createPasskeyRoutes(deps),
    createApiKeyRoutes(deps),
    createConfirmIdentityRoutes(deps.issuer),
    createDeveloperRoutes(deps),
    ...(deps.federationRoutes ? [deps.federationRoutes] : []),
  ]) {
    router.use(child.routes());
  }
  return router;
}
