import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountRow } from '../accounts/account-repository.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { isTotpCode } from '../second-factor/totp.ts';
import { type Confirmation, createConfirmFirst } from './confirm-first.ts';
import { requireFreshSignIn } from './fresh-sign-in.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';
import { qrCodeSvg } from './qr-code-svg.ts';
import { createSignedInAccount, sendToSignIn } from './signed-in-account.ts';

type Deps = Pick<
  PageDeps,
  'provider' | 'flows' | 'accounts' | 'pages' | 'csrf' | 'issuer' | 'audit' | 'secondFactors'
>;

const WRONG_SETUP =
  'That code is not right. Check the time on your phone, wait for the next code and try again.';
const WRONG_REAUTH = 'That is neither your password nor a current code from your authenticator app.';

/** Turning two-step sign-in off: what the confirmation page says, and the re-authentication it asks. */
const REMOVAL: Confirmation = {
  title: 'Turn off two-step sign-in?',
  consequences:
    'Signing in will no longer ask for a code: your password (or your sign-in provider) alone will do. Your authenticator app and your recovery codes stop working for this account. You can set it up again at any time.',
  confirmLabel: 'Turn off two-step sign-in',
  fields: {},
  cancelHref: '/account',
  typed: {
    name: 'reauth',
    label: 'Your password, or a code from your authenticator app',
    type: 'password',
    autocomplete: 'current-password',
  },
};

/**
 * `/account/two-step`: a signed-in person sets up an authenticator app (after a sign-in within the
 * last few minutes; a QR code and the key as text; it counts only once a code from it is typed;
 * ten recovery codes are shown once), or turns
 * two-step sign-in off after typing their password or a current code again.
 */
export function createTwoStepRoutes(deps: Deps): Router {
  const page = twoStepPage(deps);
  const router = new Router({ prefix: '/account/two-step' });
  router.post('/setup', beginSetup(page));
  router.get('/setup', showSetup(page));
  router.post('/confirm', confirmSetup(page));
  router.post('/remove', removeSecondFactor(page));
  return router;
}

/** What every two-step handler uses. */
function twoStepPage(deps: Deps) {
  const signedIn = createSignedInAccount(deps);
  return {
    ...deps,
    confirmFirst: createConfirmFirst(deps),
    /** The signed-in person, or undefined after sending the browser to sign in first. */
    async account(ctx: Context): Promise<AccountRow | undefined> {
      const account = await signedIn(ctx);
      if (!account) sendToSignIn(ctx, deps.issuer, '/account');
      return account;
    },
    /** The pending authenticator's page: QR code, key, the code field; the account page when none is pending. */
    async renderSetup(ctx: Context, account: AccountRow, errors = {}, status = 200) {
      const enrolment = await deps.secondFactors.pendingEnrolment(account);
      if (!enrolment) return redirect(ctx, '/account');
      deps.pages.render(
        ctx,
        'two-step-setup',
        {
          csrf: deps.csrf.token(ctx),
          action: '/account/two-step/confirm',
          qrSvg: await qrCodeSvg(enrolment.uri, 'QR code of your authenticator key'),
          secret: enrolment.secret,
          cancel: { href: '/account', text: 'Cancel' },
          errors,
        },
        status,
      );
    },
  };
}
type TwoStepPage = ReturnType<typeof twoStepPage>;

function redirect(ctx: Context, to: string): void {
  ctx.status = 303;
  ctx.redirect(to);
}

function beginSetup(page: TwoStepPage) {
  return async function beginSetup(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    // A stolen or forgotten session cannot put its own authenticator on the account.
    if (!(await requireFreshSignIn(page, ctx, 'Setting up two-step sign-in'))) return;
    const started = await page.secondFactors.beginEnrolment(account);
    redirect(ctx, started ? '/account/two-step/setup' : '/account?notice=two_step_on');
  };
}

function showSetup(page: TwoStepPage) {
  return async function showSetup(ctx: Context) {
    const account = await page.account(ctx);
    if (account) await page.renderSetup(ctx, account);
  };
}

function confirmSetup(page: TwoStepPage) {
  return async function confirmSetup(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    if (!(await requireFreshSignIn(page, ctx, 'Setting up two-step sign-in'))) return;
    const confirmed = await page.secondFactors.confirmEnrolment(
      account.id,
      formOf(ctx).code ?? '',
      auditRequest(ctx),
    );
    if (!confirmed.ok) {
      if (confirmed.reason === 'no_enrolment') return redirect(ctx, '/account');
      return page.renderSetup(ctx, account, { code: WRONG_SETUP }, 400);
    }
    page.pages.render(ctx, 'recovery-codes', {
      codes: confirmed.recoveryCodes,
      continue: { href: '/account', text: 'Back to your account' },
    });
  };
}

function removeSecondFactor(page: TwoStepPage) {
  return async function removeSecondFactor(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    if (!(await page.secondFactors.status(account.id)).totp) return redirect(ctx, '/account');
    if (!(await page.confirmFirst(ctx, () => REMOVAL))) return;
    const typed = formOf(ctx).reauth ?? '';
    if (!(await reauthenticated(page, ctx, account, typed))) {
      return page.confirmFirst.refused(ctx, REMOVAL, { reauth: WRONG_REAUTH });
    }
    await page.secondFactors.remove(account.id, auditRequest(ctx));
    redirect(ctx, '/account?notice=two_step_off');
  };
}

/**
 * The person proved it again: a current code of the authenticator being removed (spent as at
 * sign-in), or the account's password. A wrong password is audited as a refused removal.
 */
async function reauthenticated(page: TwoStepPage, ctx: Context, account: AccountRow, typed: string) {
  const request = auditRequest(ctx);
  if (isTotpCode(typed.replace(/\s/g, ''))) {
    return (await page.secondFactors.check(account.id, typed, 'removal', request)).ok;
  }
  if (typed && (await page.flows.confirmPassword(account.id, typed))) return true;
  await page.audit.record({
    action: 'second_factor.removed',
    outcome: 'failure',
    actor: { type: 'user', id: account.id },
    subject: { type: 'user', id: account.id },
    request,
    detail: { method: 'totp', reason: 'wrong_password' },
  });
  return false;
}
