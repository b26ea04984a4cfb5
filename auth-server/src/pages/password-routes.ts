import Router from '@koa/router';
import type { Context } from 'koa';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { type AppReturns, appReturnFrom, appReturnParams, backToApp, withAppReturn } from './app-return.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';

type Deps = Pick<PageDeps, 'flows' | 'pages' | 'csrf'> & { appReturns: AppReturns };

/** `/forgot-password` and `/reset-password`: same answer whether or not the address has an account. */
export function createPasswordRoutes(deps: Deps): Router {
  const router = new Router();
  router.get('/forgot-password', showForgotPassword(deps));
  router.post('/forgot-password', requestPasswordReset(deps));
  router.get('/reset-password', showResetPassword(deps));
  router.post('/reset-password', resetPassword(deps));
  return router;
}

/** Reached from an app's sign-in step, the form keeps it and links back to it. */
async function forgotContext({ appReturns }: Deps, interaction: unknown) {
  const appReturn = await appReturns.started(interaction);
  return appReturn
    ? { appReturn, shown: { interaction: appReturn.uid, signInHref: `/interaction/${appReturn.uid}` } }
    : { appReturn, shown: {} };
}

function showForgotPassword(deps: Deps) {
  const { pages, csrf } = deps;
  return async function showForgotPassword(ctx: Context) {
    const { shown } = await forgotContext(deps, ctx.query.interaction);
    pages.render(ctx, 'forgot-password', { csrf: csrf.token(ctx), ...shown });
  };
}

function requestPasswordReset(deps: Deps) {
  const { flows, pages, csrf } = deps;
  return async function requestPasswordReset(ctx: Context) {
    const form = formOf(ctx);
    const { appReturn, shown } = await forgotContext(deps, form.interaction);
    const email = emailSchema.safeParse(form.email ?? '');
    if (!email.success) {
      const errors = { email: 'Enter a valid e-mail address.' };
      const values = { email: form.email };
      return pages.render(ctx, 'forgot-password', { csrf: csrf.token(ctx), ...shown, values, errors }, 400);
    }
    await flows.requestPasswordReset(email.data, auditRequest(ctx), appReturnParams(appReturn));
    pages.render(ctx, 'message', {
      title: 'Check your e-mail',
      message:
        'If an account uses that address, we sent it a link to choose a new password. The link works for 30 minutes.',
      ...(appReturn ? { link: { href: `/interaction/${appReturn.uid}`, text: 'Back to sign in' } } : {}),
    });
  };
}

function showResetPassword({ pages, csrf }: Deps) {
  return function showResetPassword(ctx: Context) {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'reset-password', {
      csrf: csrf.token(ctx),
      token,
      appReturn: appReturnFrom(ctx.query),
    });
  };
}

function resetPassword({ flows, pages, csrf, appReturns }: Deps) {
  return async function resetPassword(ctx: Context) {
    const form = formOf(ctx);
    const appReturn = appReturnFrom(form);
    const result = await flows.resetPassword(form.token ?? '', form.password ?? '', auditRequest(ctx));
    if (result.ok) {
      const title = 'Password changed';
      const done = 'Your password was changed and every session and app access was signed out.';
      if (appReturn)
        return pages.render(ctx, 'message', backToApp(await appReturns.destination(appReturn), title, done));
      return pages.render(ctx, 'message', {
        title,
        message: done,
        link: { href: '/account', text: 'Sign in' },
      });
    }
    if (result.field === 'token') {
      const destination = appReturn ? await appReturns.destination(appReturn) : undefined;
      const again = destination?.live ? withAppReturn('/forgot-password', appReturn) : '/forgot-password';
      const link = { href: again, text: 'Ask for a new link' };
      const expired = { title: 'This link does not work any more', message: result.message, link };
      return pages.render(ctx, 'message', expired, 400);
    }
    const errors = { password: result.message };
    const kept = { token: form.token, appReturn };
    pages.render(ctx, 'reset-password', { csrf: csrf.token(ctx), ...kept, errors }, 400);
  };
}
