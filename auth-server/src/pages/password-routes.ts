import Router from '@koa/router';
import type { AccountFlows } from '../accounts/account-flows.ts';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';

/** `/forgot-password` and `/reset-password`: same answer whether or not the address has an account. */
export function createPasswordRoutes(deps: { flows: AccountFlows; pages: PageRenderer; csrf: Csrf }): Router {
  const { flows, pages, csrf } = deps;
  const router = new Router();

  router.get('/forgot-password', (ctx) => pages.render(ctx, 'forgot-password', { csrf: csrf.token(ctx) }));

  router.post('/forgot-password', async (ctx) => {
    const email = emailSchema.safeParse(formOf(ctx).email ?? '');
    if (!email.success) {
      return pages.render(
        ctx,
        'forgot-password',
        {
          csrf: csrf.token(ctx),
          values: { email: formOf(ctx).email },
          errors: { email: 'Enter a valid e-mail address.' },
        },
        400,
      );
    }
    await flows.requestPasswordReset(email.data, auditRequest(ctx));
    pages.render(ctx, 'message', {
      title: 'Check your e-mail',
      message:
        'If an account uses that address, we sent it a link to choose a new password. The link works for 30 minutes.',
    });
  });

  router.get('/reset-password', (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'reset-password', { csrf: csrf.token(ctx), token });
  });

  router.post('/reset-password', async (ctx) => {
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
      return pages.render(
        ctx,
        'message',
        {
          title: 'This link does not work any more',
          message: result.message,
          link: { href: '/forgot-password', text: 'Ask for a new link' },
        },
        400,
      );
    }
    pages.render(
      ctx,
      'reset-password',
      { csrf: csrf.token(ctx), token: form.token, errors: { password: result.message } },
      400,
    );
  });

  return router;
}
