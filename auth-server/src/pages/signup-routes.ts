import Router from '@koa/router';
import type { Context } from 'koa';
import { emailSchema } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import { type AppReturns, appReturnFrom, appReturnParams, backToApp } from './app-return.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';

type Deps = Pick<PageDeps, 'flows' | 'accounts' | 'pages' | 'csrf' | 'issuer' | 'federatedProviders'> & {
  appReturns: AppReturns;
};

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

/**
 * What the sign-up page shows besides its form: "Continue with …", and where signing in and
 * cancelling go. Reached from an app's sign-in step, each of them stays in that authorization
 * request; otherwise they lead to the account page.
 */
async function signupContext({ federatedProviders = [], appReturns }: Deps, interaction: unknown) {
  const appReturn = await appReturns.started(interaction);
  if (!appReturn) {
    return {
      appReturn,
      federated: federatedProviders.map((p) => ({ href: `/federated/start/${p.id}`, label: p.label })),
    };
  }
  const step = `/interaction/${appReturn.uid}`;
  return {
    appReturn,
    interaction: appReturn.uid,
    appName: await appReturns.appName(appReturn),
    federated: federatedProviders.map((p) => ({ href: `${step}/federated/${p.id}`, label: p.label })),
    signInHref: step,
    cancelHref: `${step}/abort`,
  };
}

function showSignup(deps: Deps) {
  const { pages, csrf } = deps;
  return async function showSignup(ctx: Context) {
    const { appReturn: _, ...shown } = await signupContext(deps, ctx.query.interaction);
    pages.render(ctx, 'signup', { csrf: csrf.token(ctx), ...shown });
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

function submitSignup(deps: Deps) {
  const { flows, pages, csrf } = deps;
  return async function submitSignup(ctx: Context) {
    const form = formOf(ctx);
    const { appReturn, ...shown } = await signupContext(deps, form.interaction);
    const refuse = (values: Record<string, unknown>, errors: Record<string, string>) =>
      pages.render(ctx, 'signup', { csrf: csrf.token(ctx), ...shown, values, errors }, 400);
    const email = emailSchema.safeParse(form.email ?? '');
    if (!email.success) return refuse({ email: form.email }, { email: 'Enter a valid e-mail address.' });
    const linkParams = appReturnParams(appReturn);
    const result = await flows.signUp(email.data, form.password ?? '', auditRequest(ctx), linkParams);
    if (!result.ok) return refuse({ email: email.data }, { password: result.message });
    pages.render(ctx, 'message', {
      title: 'Check your e-mail',
      message: CHECK_MAIL,
      // This window goes on to the app once the address is confirmed (here or in another browser).
      ...(appReturn
        ? {
            link: {
              href: `/interaction/${appReturn.uid}`,
              text: `I have confirmed it: continue to ${shown.appName}`,
            },
          }
        : {}),
    });
  };
}

function showVerifyEmail({ pages, csrf }: Deps) {
  return function showVerifyEmail(ctx: Context) {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    pages.render(ctx, 'verify-email', { csrf: csrf.token(ctx), token, appReturn: appReturnFrom(ctx.query) });
  };
}

function submitVerifyEmail({ flows, pages, appReturns }: Deps) {
  return async function submitVerifyEmail(ctx: Context) {
    const form = formOf(ctx);
    const appReturn = appReturnFrom(form);
    const verified = await flows.verifyEmail(form.token ?? '', auditRequest(ctx));
    const destination = appReturn ? await appReturns.destination(appReturn) : undefined;
    if (!verified) {
      const signIn = destination?.live ? destination.href : '/account';
      return pages.render(
        ctx,
        'message',
        {
          title: 'This link does not work any more',
          message: 'The confirmation link has expired or was already used. Sign in to get a new one.',
          link: { href: signIn, text: 'Sign in' },
        },
        400,
      );
    }
    const title = 'E-mail address confirmed';
    if (destination) return pages.render(ctx, 'message', backToApp(destination, title, 'Thank you.'));
    pages.render(ctx, 'message', {
      title,
      message: 'Thank you. You can now sign in.',
      link: { href: '/account', text: 'Go to your account' },
    });
  };
}

function resendVerification({ flows, accounts, pages, appReturns }: Deps) {
  return async function resendVerification(ctx: Context) {
    const form = formOf(ctx);
    const email = emailSchema.safeParse(form.email ?? '');
    const account = email.success ? await accounts.findByEmail(email.data) : undefined;
    const linkParams = appReturnParams(await appReturns.started(form.interaction));
    if (account && !account.emailVerified && !account.disabled) flows.resendVerification(account, linkParams);
    pages.render(ctx, 'message', { title: 'Check your e-mail', message: CHECK_MAIL });
  };
}
