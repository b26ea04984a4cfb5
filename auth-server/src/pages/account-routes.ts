import Router from '@koa/router';
import type { Context } from 'koa';
import { auditRequest } from '../audit/audit-request.ts';
import { createConfirmFirst } from './confirm-first.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';
import { passkeyPageData } from './passkey-routes.ts';
import { createSignedInAccount, sendToSignIn } from './signed-in-account.ts';

type Deps = Pick<
  PageDeps,
  | 'provider'
  | 'flows'
  | 'accounts'
  | 'sessions'
  | 'pages'
  | 'csrf'
  | 'issuer'
  | 'audit'
  | 'federationPageData'
  | 'secondFactors'
  | 'passkeys'
>;

const NOTICES: Record<string, string> = {
  revoked: 'The app no longer has access to your account.',
  password: 'Your password was changed.',
  linked: 'The sign-in provider was linked to your account.',
  unlinked: 'The sign-in provider was unlinked from your account.',
  not_linked: 'That sign-in provider was not linked to your account.',
  two_step_off: 'Two-step sign-in is off: your authenticator app and recovery codes no longer work.',
  two_step_on: 'Two-step sign-in is already on.',
  passkey_added: 'The passkey was added. You can sign in with it now.',
  passkey_renamed: 'The passkey was renamed.',
  passkey_removed: 'The passkey was removed: it no longer signs you in.',
  no_passkey: 'That passkey is not on your account (any more).',
};

/**
 * `/account`: the signed-in person's profile, connected apps (each revocable), password change
 * and "sign out everywhere". The session is oidc-provider's own: signing in goes through the same
 * sign-in step as any app (as the first-party `account` client), and `/session/end` signs out.
 */
export function createAccountRoutes(deps: Deps): Router {
  const page = accountPage(deps);
  const router = new Router({ prefix: '/account' });
  router.get('/', showAccount(page));
  router.post('/apps/revoke', disconnectApp(page));
  router.post('/password', changePassword(page));
  router.post('/sign-out-everywhere', signOutEverywhere(page));
  return router;
}

/** What every account handler uses. */
function accountPage(deps: Deps) {
  const { accounts, sessions, pages, csrf, issuer } = deps;
  return {
    ...deps,
    signedIn: createSignedInAccount(deps),
    confirmFirst: createConfirmFirst(deps),
    async render(ctx: Context, accountId: string, extra: Record<string, unknown> = {}, status = 200) {
      const account = await accounts.findById(accountId);
      if (!account) return ctx.redirect('/account');
      const apps = await sessions.connectedApps(account.id);
      const federation = await deps.federationPageData?.(account.id);
      const twoStep = await deps.secondFactors.status(account.id);
      const passkeys = await passkeyPageData(deps, ctx, account.id);
      pages.render(
        ctx,
        'account',
        { csrf: csrf.token(ctx), account, apps, twoStep, ...passkeys, ...federation, ...extra },
        status,
      );
    },
    /** Not signed in: sign in through an ordinary authorization request of the built-in account client. */
    signIn(ctx: Context) {
      sendToSignIn(ctx, issuer, '/account');
    },
  };
}
type AccountPage = ReturnType<typeof accountPage>;

function showAccount(page: AccountPage) {
  return async function showAccount(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return page.signIn(ctx);
    const notice = typeof ctx.query.notice === 'string' ? NOTICES[ctx.query.notice] : undefined;
    await page.render(ctx, account.id, { notice });
  };
}

function disconnectApp(page: AccountPage) {
  return async function disconnectApp(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return page.signIn(ctx);
    const grantId = formOf(ctx).grant ?? '';
    const confirmed = await page.confirmFirst(ctx, async () => {
      const app = (await page.sessions.connectedApps(account.id)).find((a) => a.grantId === grantId);
      const appName = app?.clientName ?? 'This app';
      return {
        title: `Revoke access for ${appName}?`,
        consequences: `${appName} loses access to your account at once: its access and refresh tokens stop working. It can ask for access again the next time you use it.`,
        confirmLabel: 'Revoke access',
        fields: { grant: grantId },
        cancelHref: '/account',
      };
    });
    if (!confirmed) return;
    const clientId = await page.sessions.revokeGrant(account.id, grantId);
    await page.audit.record({
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
  };
}

function changePassword(page: AccountPage) {
  return async function changePassword(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return page.signIn(ctx);
    const form = formOf(ctx);
    const { current = '', password = '' } = form;
    const result = await page.flows.changePassword(account.id, current, password, auditRequest(ctx));
    if (!result.ok) return page.render(ctx, account.id, { errors: { [result.field]: result.message } }, 400);
    ctx.status = 303;
    ctx.redirect('/account?notice=password');
  };
}

function signOutEverywhere(page: AccountPage) {
  return async function signOutEverywhere(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return page.signIn(ctx);
    const confirmed = await page.confirmFirst(ctx, () => ({
      title: 'Sign out everywhere?',
      consequences:
        'Every session of your account ends, on every device and in this browser too, and every app loses its access: their tokens stop working, and so do your API keys. You will have to sign in again, and apps will ask again.',
      confirmLabel: 'Sign out everywhere',
      fields: {},
      cancelHref: '/account',
    }));
    if (!confirmed) return;
    await page.sessions.endEverything(account.id, 'sign_out_everywhere');
    await page.audit.record({
      action: 'user.signed_out_everywhere',
      actor: { type: 'user', id: account.id },
      subject: { type: 'user', id: account.id },
      request: auditRequest(ctx),
    });
    page.pages.render(ctx, 'message', {
      title: 'Signed out everywhere',
      message: 'Every session was ended and every app lost its access.',
      link: { href: '/account', text: 'Sign in again' },
    });
  };
}
