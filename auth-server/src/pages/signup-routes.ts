import Router from '@koa/router';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';

const CHECK_MAIL = 'We sent a message to that address. Open the link in it to confirm your e-mail address.';

/** `/signup` and `/verify-email` (GET shows a button, POST spends the token: link scanners only GET). */
export function createSignupRoutes(deps: {
  flows: AccountFlows;
  accounts: AccountRepository;
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  federatedProviders?: readonly { id: string; label: string }[];
}): Router {
  const { flows, accounts, pages, csrf } = deps;
  const router = new Router();
  const providers = deps.federatedProviders ?? [];
  const federated = providers.map((p) => ({ href: `/federated/start/${p.id}`, label: p.label }));

  router.get('/signup', (ctx) => pages.render(ctx, 'signup', { csrf: csrf.token(ctx), federated }));

  /** "Continue with …" outside an app's request: sign in to the account page through that provider. */
  router.get('/federated/start/:provider', (ctx) => {
    const provider = providers.find((p) => p.id === ctx.params.provider);
    if (!provider) {
      return pages.render(
        ctx,
        'error',
        { title: 'Unknown provider', message: 'That sign-in provider is not available.' },
        404,
      );
    }
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(deps.issuer, '/account', provider.id));
  });

  router.post('/signup', async (ctx) => {
    const form = formOf(ctx);
    const email = emailSchema.safeParse(form.email ?? '');
    if (!email.success) {
      return pages.render(
        ctx,
        'signup',
        {
          csrf: csrf.token(ctx),
          values: { email: form.email },
          errors: { email: 'Enter a valid e-mail address.' },
        },
        400,
      );
    }
    const result = await flows.signUp(email.data, form.password ?? '', auditRequest(ctx));
    if (!result.ok) {
      return pages.render(
        ctx,
        'signup',
        { csrf: csrf.token(ctx), values: { email: email.data }, errors: { password: result.message } },
        400,
      );
    }
    pages.render(ctx, 'message', { title: 'Check your e-mail', message: CHECK_MAIL });
  });

  router.get('/verify-email', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'verify-email', { csrf: csrf.token(ctx), token });
  });

  router.post('/verify-email', async (ctx) => {
    const verified = await flows.verifyEmail(formOf(ctx).token ?? '', auditRequest(ctx));
    if (!verified) {
      return pages.render(
        ctx,
        'message',
        {
          title: 'This link does not work any more',
          message: 'The confirmation link has expired or was already used. Sign in to get a new one.',
          link: { href: '/account', text: 'Sign in' },
        },
        400,
      );
    }
    pages.render(ctx, 'message', {
      title: 'E-mail address confirmed',
      message: 'Thank you. You can now sign in.',
      link: { href: '/account', text: 'Go to your account' },
    });
  });

  router.post('/verify-email/resend', async (ctx) => {
    const email = emailSchema.safeParse(formOf(ctx).email ?? '');
    const account = email.success ? await accounts.findByEmail(email.data) : undefined;
    if (account && !account.emailVerified && !account.disabled) flows.resendVerification(account);
    pages.render(ctx, 'message', { title: 'Check your e-mail', message: CHECK_MAIL });
  });

  return router;
}
