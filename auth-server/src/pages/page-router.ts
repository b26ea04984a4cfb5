import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import { createAccountRoutes } from './account-routes.ts';
import type { Csrf } from './csrf.ts';
import { createDeveloperRoutes } from './developer-routes.ts';
import { createInteractionRoutes } from './interaction-routes.ts';
import { createPageForm } from './page-form.ts';
import { createPasswordRoutes } from './password-routes.ts';
import type { PageRenderer } from './renderer.ts';
import { createSignupRoutes } from './signup-routes.ts';

const STYLESHEET = readFileSync(new URL('./static/style.css', import.meta.url));

/** Every server-rendered page, behind one form parser with CSRF checks. */
export function createPageRouter(deps: {
  provider: Provider;
  flows: AccountFlows;
  accounts: AccountRepository;
  sessions: AccountSessions;
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  clients: ClientRegistry;
  audit: AuditLog;
  /** Rate limits of form posts (after parsing: they need the e-mail field). */
  formLimits: Middleware;
  federatedProviders?: readonly { id: string; label: string }[];
  federationPageData?: (accountId: string) => Promise<Record<string, unknown>>;
  /** Sign-in through upstream providers (federation-routes.ts). */
  federationRoutes?: Router;
}): Router {
  const router = new Router();
  router.get('/static/style.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });
  // Pages carry forms and CSRF tokens, and their redirects lead to codes: no answer is ever cached
  // (set first, so redirects and refusals carry it too).
  router.use(async function noStore(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.use(createPageForm(deps));
  router.use(deps.formLimits);
  for (const child of [
    createSignupRoutes(deps),
    createPasswordRoutes(deps),
    createInteractionRoutes(deps),
    createAccountRoutes(deps),
    createDeveloperRoutes(deps),
    ...(deps.federationRoutes ? [deps.federationRoutes] : []),
  ]) {
    router.use(child.routes());
  }
  return router;
}
