import type { Context } from 'koa';
import type { AccountRepository, AccountRow } from '../accounts/account-repository.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { SECOND_FACTOR_REASON } from '../oidc/step-up-policy.ts';
import type { Passkeys } from '../passkeys/passkeys.ts';
import type { SecondFactors } from '../second-factor/second-factors.ts';
import type { Csrf } from './csrf.ts';
import type { InteractionDetails } from './interaction-session.ts';
import { formOf } from './page-form.ts';
import { type PendingSecondFactor, pendingSecondFactor } from './pending-second-factor.ts';
import { qrCodeSvg } from './qr-code-svg.ts';
import type { PageRenderer } from './renderer.ts';
import type { SignInCompletion } from './sign-in-completion.ts';

/** Deliberately the same words for a wrong code and a code already used. */
const WRONG_CODE = 'That code is not right, or it was already used. Wait for the next code and try again.';
const WRONG_RECOVERY = 'That recovery code is not right, or it was already used.';
const WRONG_SETUP =
  'That code is not right. Check the time on your phone, wait for the next code and try again.';

export interface SecondFactorStepDeps {
  accounts: AccountRepository;
  secondFactors: SecondFactors;
  passkeys: Passkeys;
  signIns: SignInCompletion;
  pages: PageRenderer;
  csrf: Csrf;
  /** The sign-in slowdown around a code (abuse/auth-rate-limits.ts): a wrong code counts like a wrong password. */
  signInAttempt: (ctx: Context, email: string, attempt: () => Promise<void>) => Promise<void>;
  /** The interaction in the path, or an error page (interaction-routes.ts). */
  details(ctx: Context): Promise<InteractionDetails | undefined>;
  /** The app the sign-in is for, as the pages name it. */
  clientName(d: InteractionDetails): Promise<string>;
}

/**
 * The second step of an interaction's sign-in, reached only through the first (see
 * pending-second-factor.ts): a code from the authenticator app or a recovery code (a passkey:
 * passkey-sign-in.ts); setting the app up when the operator requires it and the account has none;
 * and the step-up of a signed-in session when the app asks for two factors (only the second
 * factor is asked then).
 */
export function createSecondFactorStep(deps: SecondFactorStepDeps) {
  const { accounts, secondFactors, signIns, pages, csrf } = deps;
  const requestOf = (ctx: Context, d: InteractionDetails) => ({
    ...auditRequest(ctx),
    clientId: String(d.params.client_id),
  });
  const pathOf = (d: InteractionDetails) => `/interaction/${d.uid}`;

  /** The second factor's page: the authenticator code and recovery codes, a passkey, or both. */
  async function renderCode(
    ctx: Context,
    d: InteractionDetails,
    account: AccountRow,
    errors = {},
    status = 200,
  ) {
    const [{ totp }, passkeys] = await Promise.all([
      secondFactors.status(account.id),
      deps.passkeys.count(account.id),
    ]);
    pages.render(
      ctx,
      'second-factor',
      {
        csrf: csrf.token(ctx),
        action: `${pathOf(d)}/second-factor`,
        abortAction: `${pathOf(d)}/abort`,
        clientName: await deps.clientName(d),
        email: account.email,
        totp,
        passkey:
          passkeys > 0
            ? {
                action: `${pathOf(d)}/second-factor/passkey`,
                options: `${pathOf(d)}/second-factor/passkey/options`,
                // After a passkey that did not verify the person, only a verifying one adds a factor.
                mustVerify: pendingSecondFactor.of(d)?.amr.includes('hwk') === true,
              }
            : undefined,
        passkeyScript: passkeys > 0,
        errors,
      },
      status,
    );
  }

  async function renderSetup(
    ctx: Context,
    d: InteractionDetails,
    found: { pending: PendingSecondFactor; account: AccountRow },
    errors = {},
    status = 200,
  ) {
    const { pending, account } = found;
    const enrolment =
      (await secondFactors.pendingEnrolment(account)) ?? (await secondFactors.beginEnrolment(account));
    if (!enrolment) {
      // Set up meanwhile (in another window): its code is asked instead.
      await pendingSecondFactor.save(d, { ...pending, need: 'code' });
      return renderCode(ctx, d, account);
    }
    const clientName = await deps.clientName(d);
    pages.render(
      ctx,
      'two-step-setup',
      {
        csrf: csrf.token(ctx),
        action: `${pathOf(d)}/second-factor/setup`,
        intro: `Signing in to ${clientName} needs two-step sign-in, and your account (${account.email}) does not have it yet. Set it up now: it takes a minute.`,
        qrSvg: await qrCodeSvg(enrolment.uri, 'QR code of your authenticator key'),
        secret: enrolment.secret,
        cancel: { href: `${pathOf(d)}/abort`, text: 'Cancel and return to the app' },
        errors,
      },
      status,
    );
  }

  /** A step-up of the session's sign-in: what it still needs, saved as the pending second factor. */
  async function stepUp(
    ctx: Context,
    d: InteractionDetails,
  ): Promise<PendingSecondFactor | 'rendered' | undefined> {
    const session = d.session;
    if (!session?.accountId || !d.prompt.reasons.every((r) => r === SECOND_FACTOR_REASON)) return undefined;
    const account = await accounts.findById(session.accountId);
    if (!account || account.disabled) return undefined;
    const need = await signIns.secondFactorNeed(account.id, d, { amr: session.amr ?? [], stepUp: true });
    if (need === 'none') {
      const clientName = await deps.clientName(d);
      pages.render(ctx, 'two-step-required', {
        clientName,
        email: account.email,
        setupHref: '/account#two-step',
        continueHref: pathOf(d),
        abortHref: `${pathOf(d)}/abort`,
      });
      return 'rendered';
    }
    const amr = session.amr ?? [];
    return pendingSecondFactor.save(d, {
      accountId: account.id,
      amr,
      need,
      detail: { email: account.email, step_up: true },
    });
  }

  /** The pending second factor with its account, or a redirect to the sign-in's first step. */
  async function pendingOf(ctx: Context, d: InteractionDetails, need: PendingSecondFactor['need']) {
    const pending = pendingSecondFactor.of(d);
    const account = pending?.need === need ? await accounts.findById(pending.accountId) : undefined;
    if (pending && account && !account.disabled) return { pending, account };
    ctx.status = 303;
    ctx.redirect(pathOf(d));
    return undefined;
  }

  /** Shows the second factor's page when the sign-in step is at it; false when it is not. */
  async function show(ctx: Context, d: InteractionDetails): Promise<boolean> {
    const pending = pendingSecondFactor.of(d) ?? (await stepUp(ctx, d));
    if (pending === 'rendered') return true;
    if (!pending) return false;
    const account = await accounts.findById(pending.accountId);
    if (!account || account.disabled) return false;
    if (pending.need === 'enrol') await renderSetup(ctx, d, { pending, account });
    else await renderCode(ctx, d, account);
    return true;
  }

  return {
    show,
    pendingOf,
    renderCode,

    /** `POST /interaction/:uid/second-factor`: a code from the app, or a recovery code. */
    async submitCode(ctx: Context): Promise<void> {
      const d = await deps.details(ctx);
      if (!d) return;
      const found = await pendingOf(ctx, d, 'code');
      if (!found) return;
      const { pending, account } = found;
      await deps.signInAttempt(ctx, account.email, async () => {
        const form = formOf(ctx);
        const recovery = !form.code && Boolean(form.recovery);
        const typed = (recovery ? form.recovery : form.code) ?? '';
        const checked = await secondFactors.check(account.id, typed, 'sign_in', requestOf(ctx, d));
        if (!checked.ok) {
          const errors = recovery ? { recovery: WRONG_RECOVERY } : { code: WRONG_CODE };
          return renderCode(ctx, d, account, errors, 400);
        }
        await signIns.complete(ctx, d, {
          accountId: account.id,
          amr: [...pending.amr, 'otp'],
          detail: { ...pending.detail, second_factor: checked.method },
        });
      });
    },

    /** `POST /interaction/:uid/second-factor/setup`: the first code of a new authenticator, then its recovery codes. */
    async confirmSetup(ctx: Context): Promise<void> {
      const d = await deps.details(ctx);
      if (!d) return;
      const found = await pendingOf(ctx, d, 'enrol');
      if (!found) return;
      const { pending, account } = found;
      await deps.signInAttempt(ctx, account.email, async () => {
        const confirmed = await secondFactors.confirmEnrolment(
          account.id,
          formOf(ctx).code ?? '',
          requestOf(ctx, d),
        );
        if (!confirmed.ok) {
          if (confirmed.reason === 'no_enrolment') return void (await show(ctx, d));
          return renderSetup(ctx, d, found, { code: WRONG_SETUP }, 400);
        }
        const to = await signIns.record(ctx, d, {
          accountId: account.id,
          amr: [...pending.amr, 'otp'],
          detail: { ...pending.detail, second_factor: 'totp', enrolled: true },
        });
        pages.render(ctx, 'recovery-codes', {
          codes: confirmed.recoveryCodes,
          continue: { href: to, text: `Continue to ${await deps.clientName(d)}` },
        });
      });
    },
  };
}

export type SecondFactorStep = ReturnType<typeof createSecondFactorStep>;
