import type { Context } from 'koa';
import type { AccountRepository, AccountRow } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditRequest } from '../audit/audit-request.ts';
import type { Passkeys } from '../passkeys/passkeys.ts';
import type { InteractionDetails } from './interaction-session.ts';
import { formOf, PASSKEY_FIELD } from './page-form.ts';
import { answerPasskeyOptions, passkeyRefusal } from './passkey-page-answers.ts';
import { pendingSecondFactor } from './pending-second-factor.ts';
import type { SecondFactorStep } from './second-factor-step.ts';
import type { SignInCompletion } from './sign-in-completion.ts';
import { signInError } from './sign-in-messages.ts';

export interface PasskeySignInDeps {
  passkeys: Passkeys;
  accounts: AccountRepository;
  audit: AuditLog;
  signIns: SignInCompletion;
  /** The sign-in slowdown (abuse/auth-rate-limits.ts): a refused passkey counts like a wrong password. */
  signInAttempt: (ctx: Context, email: string, attempt: () => Promise<void>) => Promise<void>;
  /** The interaction in the path, or an error page (interaction-routes.ts). */
  details(ctx: Context): Promise<InteractionDetails | undefined>;
  /** The interaction in the path, or undefined (nothing rendered: the options answer JSON). */
  quietDetails(ctx: Context): Promise<InteractionDetails | undefined>;
  /** The sign-in page again, with `extra` (its errors) and `status`. */
  renderSignIn(
    ctx: Context,
    d: InteractionDetails,
    extra: Record<string, unknown>,
    status: number,
  ): Promise<void>;
  /** The sign-in's second step (second-factor-step.ts): its pending account, its page. */
  secondFactor: Pick<SecondFactorStep, 'pendingOf' | 'renderCode'>;
  requestOf(ctx: Context, d: InteractionDetails): AuditRequest;
}

const EXPIRED = 'This sign-in has expired. Go back to the app you came from and start again.';

/**
 * Passkeys at an interaction's sign-in step: passwordless from the sign-in page (any passkey of
 * ours, discoverable; one that verified the person is two factors, one that did not is a first
 * factor like a password, and the sign-in goes on as after one), and as the second step after a
 * password or an upstream provider. Options are JSON for static/passkeys.js; each challenge is bound
 * to the interaction (and, for the second step, to its pending account) and spent once.
 */
export function createPasskeySignIn(deps: PasskeySignInDeps) {
  const { passkeys, signIns } = deps;

  /** A sign-in refused before the passkey was checked: the account cannot sign in at all (as a password would be told). */
  async function refuseAccount(ctx: Context, d: InteractionDetails, account: AccountRow) {
    const reason = account.disabled ? 'disabled' : 'unverified';
    await deps.audit.record({
      action: 'user.sign_in',
      outcome: 'failure',
      actor: { type: 'anonymous' },
      subject: { type: 'user', id: account.id },
      request: deps.requestOf(ctx, d),
      detail: { method: 'passkey', reason },
    });
    const errors = { form: signInError({ ok: false, reason }) };
    const resend = reason === 'unverified' ? { resendAction: '/verify-email/resend' } : {};
    return deps.renderSignIn(ctx, d, { errors, values: { email: account.email }, ...resend }, 400);
  }

  return {
    /** `POST /interaction/:uid/passkey/options`: a passwordless ceremony's options (JSON). */
    async options(ctx: Context): Promise<void> {
      const d = await deps.quietDetails(ctx);
      if (d?.prompt.name !== 'login') return answerPasskeyOptions(ctx, { refused: EXPIRED });
      answerPasskeyOptions(ctx, { options: await passkeys.signInOptions(d.uid) });
    },

    /** `POST /interaction/:uid/passkey`: signs in with the passkey's answer. */
    async submit(ctx: Context): Promise<void> {
      const d = await deps.details(ctx);
      if (!d) return;
      if (d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
      const posted = formOf(ctx)[PASSKEY_FIELD];
      const request = deps.requestOf(ctx, d);
      const refuse = (reason: Parameters<typeof passkeyRefusal>[0]) =>
        deps.renderSignIn(ctx, d, { errors: { form: passkeyRefusal(reason) } }, 400);
      const owner = await passkeys.ownerOf(posted, request);
      if (!owner.ok) return refuse(owner.reason);
      const account = await deps.accounts.findById(owner.accountId);
      if (!account) return refuse('unknown_credential');
      if (account.disabled || !account.emailVerified) return refuseAccount(ctx, d, account);
      await deps.signInAttempt(ctx, account.email, async () => {
        const checked = await passkeys.verify(
          posted,
          { use: 'sign_in', interactionUid: d.uid, accountId: account.id, requireUserVerification: false },
          request,
        );
        if (!checked.ok) return refuse(checked.reason);
        // Two factors when it verified the person; otherwise on to the account's second factor.
        await signIns.afterFirstFactor(ctx, d, {
          accountId: account.id,
          amr: checked.amr,
          detail: { email: account.email, method: 'passkey' },
        });
      });
    },

    /** `POST /interaction/:uid/second-factor/passkey/options`: the pending account's passkeys (JSON). */
    async secondFactorOptions(ctx: Context): Promise<void> {
      const d = await deps.quietDetails(ctx);
      const pending = d ? pendingSecondFactor.of(d) : undefined;
      if (!d || pending?.need !== 'code') return answerPasskeyOptions(ctx, { refused: EXPIRED });
      if ((await passkeys.count(pending.accountId)) === 0) {
        return answerPasskeyOptions(ctx, { refused: 'Your account has no passkey any more.' });
      }
      const options = await passkeys.signInOptions(d.uid, {
        id: pending.accountId,
        requireUserVerification: pending.amr.includes('hwk'),
      });
      answerPasskeyOptions(ctx, { options });
    },

    /** `POST /interaction/:uid/second-factor/passkey`: the second step with one of the account's passkeys. */
    async submitSecondFactor(ctx: Context): Promise<void> {
      const d = await deps.details(ctx);
      if (!d) return;
      const found = await deps.secondFactor.pendingOf(ctx, d, 'code');
      if (!found) return;
      const { pending, account } = found;
      await deps.signInAttempt(ctx, account.email, async () => {
        const checked = await passkeys.verify(
          formOf(ctx)[PASSKEY_FIELD],
          {
            use: 'second_factor',
            interactionUid: d.uid,
            accountId: account.id,
            requireUserVerification: pending.amr.includes('hwk'),
          },
          deps.requestOf(ctx, d),
        );
        if (!checked.ok) {
          const errors = { form: passkeyRefusal(checked.reason) };
          return deps.secondFactor.renderCode(ctx, d, account, errors, 400);
        }
        await signIns.complete(ctx, d, {
          accountId: account.id,
          amr: [...pending.amr, ...checked.amr],
          detail: { ...pending.detail, second_factor: 'passkey' },
        });
      });
    },
  };
}
