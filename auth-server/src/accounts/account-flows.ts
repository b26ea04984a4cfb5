import type { AuditRequest } from '../audit/audit-request.ts';
import { type AccountFlowContext, type AccountFlowDeps, accountFlowContext } from './account-flow-context.ts';
import type { AccountRow } from './account-repository.ts';
import { emailSchema } from './email-address.ts';
import { createPasswordFlows } from './password-flows.ts';
import { createRegistrationFlows } from './registration-flows.ts';

export type SignInResult =
  | { ok: true; account: AccountRow }
  | { ok: false; reason: 'invalid' | 'disabled' | 'unverified'; account?: AccountRow };

export type PasswordChange =
  | { ok: true }
  | { ok: false; field: 'password' | 'current' | 'token'; message: string };

/**
 * Query parameters added to a mailed link (after its token): where the person goes on afterwards,
 * e.g. back to the app whose sign-in they left (pages/app-return.ts).
 */
export type MailedLinkParams = Record<string, string>;

export interface AccountFlows {
  /** Always answers the same; an existing address gets an "already registered" mail instead. */
  signUp(
    email: string,
    password: string,
    request: AuditRequest,
    linkParams?: MailedLinkParams,
  ): Promise<{ ok: true } | { ok: false; message: string }>;
  /**
   * The first factor of a sign-in: the e-mail and password, refusals audited as failed sign-ins.
   * A success is not yet a sign-in: pages/sign-in-completion.ts records it once complete (after
   * the second factor, for an account that has one).
   */
  checkPassword(email: string, password: string, request: AuditRequest): Promise<SignInResult>;
  /** Whether `password` is the account's (a signed-in person confirming a sensitive change). */
  confirmPassword(accountId: string, password: string): Promise<boolean>;
  resendVerification(account: AccountRow, linkParams?: MailedLinkParams): void;
  verifyEmail(token: string, request: AuditRequest): Promise<boolean>;
  /** Always answers the same; the token and the mail are made off the request path. */
  requestPasswordReset(email: string, request: AuditRequest, linkParams?: MailedLinkParams): Promise<void>;
  resetPassword(token: string, password: string, request: AuditRequest): Promise<PasswordChange>;
  changePassword(
    accountId: string,
    current: string,
    next: string,
    request: AuditRequest,
  ): Promise<PasswordChange>;
}

const signInRefusal = (account: AccountRow) =>
  account.disabled ? 'disabled' : account.emailVerified ? undefined : 'unverified';
/** What was typed as the address, unless it is not one (a password typed in the wrong field). */
const typedAddress = (email: string) =>
  emailSchema.safeParse(email).success ? email : '[not an e-mail address]';

/**
 * Sign-up, e-mail verification, sign-in, password reset and change. Answers never reveal whether an
 * address has an account: unknown addresses still cost one bcrypt operation, and mails go out later.
 * Each outcome goes to the audit trail (the e-mail as given, never a password or token).
 */
export function createAccountFlows(deps: AccountFlowDeps): AccountFlows {
  const ctx = accountFlowContext(deps);
  return {
    ...createRegistrationFlows(ctx),
    checkPassword: createCheckPassword(ctx),
    async confirmPassword(accountId, password) {
      const account = await ctx.accounts.findById(accountId);
      return account !== undefined && (await ctx.hasher.verify(password, account.passwordHash));
    },
    ...createPasswordFlows(ctx),
  };
}

/** The password step of a sign-in; a hash of an older cost is redone after the answer. */
function createCheckPassword(ctx: AccountFlowContext): AccountFlows['checkPassword'] {
  const { accounts, hasher, audit, user, anonymous } = ctx;
  return async function checkPassword(email, password, request) {
    const account = await accounts.findByEmail(email);
    const matches = await hasher.verify(password, account?.passwordHash);
    const failed = !account || !matches ? 'invalid' : signInRefusal(account);
    if (failed) {
      await audit.record({
        action: 'user.sign_in',
        outcome: 'failure',
        actor: anonymous,
        subject: account ? user(account.id) : undefined,
        request,
        detail: { email: typedAddress(email), reason: failed },
      });
    }
    if (!account || !matches) return { ok: false, reason: 'invalid' };
    if (account.disabled) return { ok: false, reason: 'disabled' };
    if (!account.emailVerified) return { ok: false, reason: 'unverified', account };
    if (hasher.needsRehash(account.passwordHash)) {
      ctx.later('rehash', async () => accounts.setPasswordHash(account.id, await hasher.hash(password)));
    }
    return { ok: true, account };
  };
}
