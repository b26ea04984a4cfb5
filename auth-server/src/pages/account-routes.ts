import Router from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';
import { createSignedInAccount } from './signed-in-account.ts';

/**
 * `/account`: the signed-in person's profile, connected apps (each revocable), password change
 * and "sign out everywhere". The session is oidc-provider's own: signing in goes through the same
 * sign-in step as any app (as the first-party `account` client), and `/session/end` signs out.
 */
export function createAccountRoutes(deps: {
  provider: Provider;
  flows: AccountFlows;
  accounts: AccountRepository;
  sessions: AccountSessions;
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  audit: AuditLog;
  /** What the account page shows about linked upstream providers (see federation-routes.ts). */
  federationPageData?: (accountId: string) => Promise<Record<string, unknown>>;
}): Router {
  const { provider, flows, accounts, sessions, pages, csrf, issuer, audit } = deps;
  const router = new Router({ prefix: '/account' });

  const signedIn = createSignedInAccount({ provider, accounts });

  const renderAccount = async (
    ctx: Context,
    accountId: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const account = await accounts.findById(accountId);
    if (!account) return ctx.redirect('/account');
    pages.render(
      ctx,
      'account',
      {
        csrf: csrf.token(ctx),
        account,
        apps: await sessions.connectedApps(account.id),
        ...(await deps.federationPageData?.(account.id)),
        ...extra,
      },
      status,
    );
  };

  /** Not signed in: sign in through an ordinary authorization request of the built-in account client. */
  const signIn = (ctx: Context) => {
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(issuer));
  };

  router.get('/', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return signIn(ctx);
    const notice = typeof ctx.query.notice === 'string' ? NOTICES[ctx.query.notice] : undefined;
    await renderAccount(ctx, account.id, { notice });
  });

  router.post('/apps/revoke', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return signIn(ctx);
    const grantId = formOf(ctx).grant ?? '';
    const clientId = await sessions.revokeGrant(account.id, grantId);
    await audit.record({
      action: 'consent.withdrawn',
      outcome: clientId ? 'success' : 'failure',
      actor: { type: 'user', id: account.id },
      subject: { type: 'user', id: account.id },
      clientId,
      request: auditRequest(ctx),
      detail: clientId ? { grant_id: grantId } : { grant_id: grantId, reason: 'no_such_grant' },
    });
    ctx.status = 303;
    ctx.redirect('/account?notice=revoked');
  });

  router.post('/password', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return signIn(ctx);
    const form = formOf(ctx);
    const result = await flows.changePassword(
      account.id,
      form.current ?? '',
      form.password ?? '',
      auditRequest(ctx),
    );
    if (!result.ok)
      return renderAccount(ctx, account.id, { errors: { [result.field]: result.message } }, 400);
    ctx.status = 303;
    ctx.redirect('/account?notice=password');
  });

  router.post('/sign-out-everywhere', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return signIn(ctx);
    await sessions.endEverything(account.id, 'sign_out_everywhere');
    await audit.record({
      action: 'user.signed_out_everywhere',
      actor: { type: 'user', id: account.id },
      subject: { type: 'user', id: account.id },
      request: auditRequest(ctx),
    });
    pages.render(ctx, 'message', {
      title: 'Signed out everywhere',
      message: 'Every session was ended and every app lost its access.',
      link: { href: '/account', text: 'Sign in again' },
    });
  });

  return router;
}

const NOTICES: Record<string, string> = {
  revoked: 'The app no longer has access to your account.',
  password: 'Your password was changed.',
  linked: 'The sign-in provider was linked to your account.',
  unlinked: 'The sign-in provider was unlinked from your account.',
  not_linked: 'That sign-in provider was not linked to your account.',
};
