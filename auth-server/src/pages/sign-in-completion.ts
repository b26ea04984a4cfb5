import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { markSignInUnfinished } from '../abuse/sign-in-unfinished.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { acrFor, isMultiFactor } from '../oidc/acr-values.ts';
import { type MfaRequirement, mfaRequired } from '../oidc/mfa-requirement.ts';
import type { Passkeys } from '../passkeys/passkeys.ts';
import type { SecondFactors } from '../second-factor/second-factors.ts';
import type { InteractionDetails } from './interaction-session.ts';
import { type PendingSecondFactor, pendingSecondFactor } from './pending-second-factor.ts';

/** A sign-in as it completes: who, how (RFC 8176 method references), and its audit detail. */
export interface CompletedSignIn {
  accountId: string;
  amr: string[];
  detail: Record<string, unknown>;
}

export interface SignInCompletion {
  /**
   * After a first factor passed (a password, an upstream provider, a passkey): the sign-in
   * completes, or it waits in the interaction for the account's second factor, or for one to be
   * set up when the operator requires it. A sign-in that already used two factors (a passkey that
   * verified the person, an upstream sign-in that says so) completes.
   */
  afterFirstFactor(ctx: Context, d: InteractionDetails, first: CompletedSignIn): Promise<void>;
  /**
   * What an account still needs for a two-factor sign-in of this request, after a first step made
   * with `first.amr`: its second factor (an authenticator code, a passkey), setting one up (when
   * the operator requires two factors of it), or (optional) nothing to offer. A passkey that
   * signed in without verifying the person is not asked for again, unless two factors are needed
   * (`first.stepUp`, or the operator's rule): then it must verify them.
   */
  secondFactorNeed(
    accountId: string,
    d: InteractionDetails,
    first?: { amr: readonly string[]; stepUp?: boolean },
  ): Promise<PendingSecondFactor['need'] | 'none'>;
  /** Completes the sign-in and sends the browser on to the authorization request. */
  complete(ctx: Context, d: InteractionDetails, done: CompletedSignIn): Promise<void>;
  /** Completes the sign-in; the URL that resumes the authorization request (for a page that links it). */
  record(ctx: Context, d: InteractionDetails, done: CompletedSignIn): Promise<string>;
}

/**
 * The end of every sign-in step (password, upstream provider, second factor): the sign-in is
 * audited and remembered as the account's last, and oidc-provider is told who signed in and how
 * (`amr`, and the `acr` class it reaches), which the ID token carries.
 */
export function createSignInCompletion(deps: {
  provider: Provider;
  accounts: AccountRepository;
  secondFactors: SecondFactors;
  passkeys: Passkeys;
  audit: AuditLog;
  /** When it requires two factors of a request, a person without one sets one up before the sign-in completes. */
  requireMfa: MfaRequirement;
}): SignInCompletion {
  const { provider, accounts, secondFactors, audit } = deps;
  const user = (id: string) => ({ type: 'user' as const, id });

  async function record(ctx: Context, d: InteractionDetails, done: CompletedSignIn): Promise<string> {
    const amr = [...new Set(done.amr)];
    await accounts.recordSignIn(done.accountId);
    await audit.record({
      action: 'user.sign_in',
      actor: user(done.accountId),
      subject: user(done.accountId),
      request: { ...auditRequest(ctx), clientId: String(d.params.client_id) },
      detail: done.detail,
    });
    return provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: done.accountId, amr, acr: acrFor(amr) } },
      { mergeWithLastSubmission: false },
    );
  }

  async function complete(ctx: Context, d: InteractionDetails, done: CompletedSignIn) {
    const to = await record(ctx, d, done);
    ctx.status = 303;
    ctx.redirect(to);
  }

  async function secondFactorNeed(
    accountId: string,
    d: InteractionDetails,
    first: { amr: readonly string[]; stepUp?: boolean } = { amr: [] },
  ) {
    const [{ totp }, passkeys] = await Promise.all([
      secondFactors.status(accountId),
      deps.passkeys.count(accountId),
    ]);
    const passkeyCounts = passkeys > 0 && (!first.amr.includes('hwk') || first.stepUp);
    if (totp || passkeyCounts) return 'code';
    const client = await provider.Client.find(String(d.params.client_id));
    const required = mfaRequired(deps.requireMfa, {
      clientScope: client?.scope,
      requestedScope: d.params.scope,
    });
    if (!required) return 'none';
    return passkeys > 0 ? 'code' : 'enrol';
  }

  return {
    record,
    complete,
    secondFactorNeed,
    async afterFirstFactor(ctx, d, first) {
      const need = isMultiFactor(first.amr) ? 'none' : await secondFactorNeed(first.accountId, d, first);
      if (need === 'none') return complete(ctx, d, first);
      await pendingSecondFactor.save(d, { ...first, need });
      markSignInUnfinished(ctx);
      ctx.status = 303;
      ctx.redirect(`/interaction/${d.uid}`);
    },
  };
}
