import Router from '@koa/router';
import type { Context } from 'koa';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';

type Deps = Pick<PageDeps, 'flows' | 'pages' | 'csrf'>;

/** `/forgot-password` and `/reset-password`: same answer whether or not the address has an account. */
export function createPasswordRoutes(deps: Deps): Router {
  const router = new Router();
  router.get('/forgot-password', showForgotPassword(deps));
  router.post('/forgot-password', requestPasswordReset(deps));
  router.get('/reset-password', showResetPassword(deps));
  router.post('/reset-password', resetPassword(deps));
  return router;
}

function showForgotPassword({ pages, csrf }: Deps) {
  return function showForgotPassword(ctx: Context) {
    pages.render(ctx, 'forgot-password', { csrf: csrf.token(ctx) });
  };
}

function requestPasswordReset({ flows, pages, csrf }: Deps) {
  return async function requestPasswordReset(ctx: Context) {
    const email = emailSchema.safeParse(formOf(ctx).email ?? '');
    if (!email.success) {
      const errors = { email: 'Enter a valid e-mail address.' };
      const values = { email: formOf(ctx).email };
      return pages.render(ctx, 'forgot-password', { csrf: csrf.token(ctx), values, errors }, 400);
    }
    await flows.requestPasswordReset(email.data, auditRequest(ctx));
    pages.render(ctx, 'message', {
      title: 'Check your e-mail',
      message:
        'If an account uses that address, we sent it a link to choose a new password. The link works for 30 minutes.',
    });
  };
}

function showResetPassword({ pages, csrf }: Deps) {
  return function showResetPassword(ctx: Context) {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'reset-password', { csrf: csrf.token(ctx), token });
  };
}

function resetPassword({ flows, pages, csrf }: Deps) {
  return async function resetPassword(ctx: Context) {
    const form = formOf(ctx);
    const result = await flows.resetPassword(form.token ?? '', form.password ?? '', auditRequest(ctx));
    if (result.ok) {
      return pages.render(ctx, 'message', {
        title: 'Password changed',
        message: 'Your password was changed and every session and app access was signed out.',
        link: { href: '/account', text: 'Sign in' },
      });
    }
    if (result.field === 'token') {
      const link = { href: '/forgot-password', text: 'Ask for a new link' };
      const expired = { title: 'This link does not work any more', message: result.message, link };
      return pages.render(ctx, 'message', expired, 400);
    }
    const errors = { password: result.message };
    pages.render(ctx, 'reset-password', { csrf: csrf.token(ctx), token: form.token, errors }, 400);
  };
}
