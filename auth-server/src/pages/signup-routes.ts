import Router from '@koa/router';
import type { Context } from 'koa';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';

type Deps = Pick<PageDeps, 'flows' | 'accounts' | 'pages' | 'csrf' | 'issuer' | 'federatedProviders'>;

const CHECK_MAIL = 'We sent a message to that address. Open the link in it to confirm your e-mail address.';

/** `/signup` and `/verify-email` (GET shows a button, POST spends the token: link scanners only GET). */
export function createSignupRoutes(deps: Deps): Router {
  const router = new Router();
  router.get('/signup', showSignup(deps));
  router.get('/federated/start/:provider', startWithProvider(deps));
  router.post('/signup', submitSignup(deps));
  router.get('/verify-email', showVerifyEmail(deps));
  router.post('/verify-email', submitVerifyEmail(deps));
  router.post('/verify-email/resend', resendVerification(deps));
  return router;
}

function showSignup({ pages, csrf, federatedProviders = [] }: Deps) {
  const federated = federatedProviders.map((p) => ({ href: `/federated/start/${p.id}`, label: p.label }));
  return function showSignup(ctx: Context) {
    pages.render(ctx, 'signup', { csrf: csrf.token(ctx), federated });
  };
}

/** "Continue with …" outside an app's request: sign in to the account page through that provider. */
function startWithProvider({ pages, issuer, federatedProviders = [] }: Deps) {
  return function startWithProvider(ctx: Context) {
    const provider = federatedProviders.find((p) => p.id === ctx.params.provider);
    if (!provider) {
      const unknown = { title: 'Unknown provider', message: 'That sign-in provider is not available.' };
      return pages.render(ctx, 'error', unknown, 404);
    }
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(issuer, '/account', provider.id));
  };
}

function submitSignup({ flows, pages, csrf }: Deps) {
  return async function submitSignup(ctx: Context) {
    const form = formOf(ctx);
    const email = emailSchema.safeParse(form.email ?? '');
    if (!email.success) {
      const errors = { email: 'Enter a valid e-mail address.' };
      return pages.render(
        ctx,
        'signup',
        { csrf: csrf.token(ctx), values: { email: form.email }, errors },
        400,
      );
    }
    const result = await flows.signUp(email.data, form.password ?? '', auditRequest(ctx));
    if (!result.ok) {
      const errors = { password: result.message };
      return pages.render(
        ctx,
        'signup',
        { csrf: csrf.token(ctx), values: { email: email.data }, errors },
        400,
      );
    }
    pages.render(ctx, 'message', { title: 'Check your e-mail', message: CHECK_MAIL });
  };
}

function showVerifyEmail({ pages, csrf }: Deps) {
  return function showVerifyEmail(ctx: Context) {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'verify-email', { csrf: csrf.token(ctx), token });
  };
}

function submitVerifyEmail({ flows, pages }: Deps) {
  return async function submitVerifyEmail(ctx: Context) {
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
  };
}

function resendVerification({ flows, accounts, pages }: Deps) {
  return async function resendVerification(ctx: Context) {
    const email = emailSchema.safeParse(formOf(ctx).email ?? '');
    const account = email.success ? await accounts.findByEmail(email.data) : undefined;
    if (account && !account.emailVerified && !account.disabled) flows.resendVerification(account);
    pages.render(ctx, 'message', { title: 'Check your e-mail', message: CHECK_MAIL });
  };
}
