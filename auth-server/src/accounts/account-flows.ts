import type { Logger } from '@vectorauth/shared';
import type { SignInThrottle } from '../abuse/sign-in-throttle.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditRequest } from '../audit/audit-request.ts';
import { mailTemplates } from '../mail/mail-templates.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { AccountRepository, AccountRow } from './account-repository.ts';
import { emailSchema } from './email-address.ts';
import type { EmailTokens } from './email-tokens.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordProblem } from './password-policy.ts';

export const VERIFY_EMAIL_TTL = 24 * 3600;
export const RESET_PASSWORD_TTL = 30 * 60;

export type SignInResult =
  | { ok: true; account: AccountRow }
  | { ok: false; reason: 'invalid' | 'disabled' | 'unverified'; account?: AccountRow };

export type PasswordChange =
  | { ok: true }
  | { ok: false; field: 'password' | 'current' | 'token'; message: string };

export interface AccountFlows {
  /** Always answers the same; an existing address gets an "already registered" mail instead. */
  signUp(
    email: string,
    password: string,
    request: AuditRequest,
  ): Promise<{ ok: true } | { ok: false; message: string }>;
  signIn(email: string, password: string, request: AuditRequest): Promise<SignInResult>;
  resendVerification(account: AccountRow): void;
  verifyEmail(token: string, request: AuditRequest): Promise<boolean>;
  /** Always answers the same; the token and the mail are made off the request path. */
  requestPasswordReset(email: string, request: AuditRequest): Promise<void>;
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
export function createAccountFlows(deps: {
  accounts: AccountRepository;
  tokens: EmailTokens;
  hasher: PasswordHasher;
  mailer: Mailer;
  sessions: AccountSessions;
  issuer: string;
  logger: Logger;
  audit: AuditLog;
  /** A completed reset makes its address known to the sign-in slowdown (the owner's way back in). */
  throttle: Pick<SignInThrottle, 'trustAddress'>;
}): AccountFlows {
  const { accounts, tokens, hasher, mailer, sessions, issuer, logger, audit, throttle } = deps;
  const user = (id: string) => ({ type: 'user' as const, id });
  const anonymous = { type: 'anonymous' as const };
  const later = (what: string, work: () => Promise<void>) =>
    setImmediate(() => work().catch((err: unknown) => logger.error({ err }, `${what} failed`)));

  const sendVerification = (account: AccountRow) =>
    later('verification mail', async () => {
      const token = await tokens.issue(account.id, 'verify-email', VERIFY_EMAIL_TTL);
      mailer.send(mailTemplates.verifyEmail(account.email, `${issuer}/verify-email?token=${token}`));
    });

  return {
    async signUp(email, password, request) {
      const problem = passwordProblem(password);
      if (problem) {
        await audit.record({
          action: 'user.sign_up',
          outcome: 'failure',
          actor: anonymous,
          request,
          detail: { email, reason: 'password_policy' },
        });
        return { ok: false, message: problem };
      }
      const hash = await hasher.hash(password);
      const created = await accounts.create(email, hash);
      if (created) sendVerification(created);
      else
        mailer.send(mailTemplates.alreadyRegistered(email, `${issuer}/account`, `${issuer}/forgot-password`));
      await audit.record({
        action: 'user.sign_up',
        outcome: created ? 'success' : 'failure',
        actor: anonymous,
        subject: created ? user(created.id) : undefined,
        request,
        detail: created ? { email } : { email, reason: 'already_registered' },
      });
      return { ok: true };
    },

    async signIn(email, password, request) {
      const account = await accounts.findByEmail(email);
      const matches = await hasher.verify(password, account?.passwordHash);
      const failed = !account || !matches ? 'invalid' : signInRefusal(account);
      await audit.record({
        action: 'user.sign_in',
        outcome: failed ? 'failure' : 'success',
        actor: failed || !account ? anonymous : user(account.id),
        subject: account ? user(account.id) : undefined,
        request,
        detail: { email: typedAddress(email), ...(failed ? { reason: failed } : {}) },
      });
      if (!account || !matches) return { ok: false, reason: 'invalid' };
      if (account.disabled) return { ok: false, reason: 'disabled' };
      if (!account.emailVerified) return { ok: false, reason: 'unverified', account };
      await accounts.recordSignIn(account.id);
      if (hasher.needsRehash(account.passwordHash)) {
        later('rehash', async () => accounts.setPasswordHash(account.id, await hasher.hash(password)));
      }
      return { ok: true, account };
    },

    resendVerification: sendVerification,

    async verifyEmail(token, request) {
      const accountId = await tokens.consume(token, 'verify-email');
      if (accountId) await accounts.markEmailVerified(accountId);
      await audit.record({
        action: 'user.email_verified',
        outcome: accountId ? 'success' : 'failure',
        actor: accountId ? user(accountId) : anonymous,
        subject: accountId ? user(accountId) : undefined,
        request,
        detail: accountId ? {} : { reason: 'invalid_link' },
      });
      return accountId !== undefined;
    },

    async requestPasswordReset(email, request) {
      const account = await accounts.findByEmail(email);
      await audit.record({
        action: 'user.password_reset_requested',
        actor: anonymous,
        subject: account ? user(account.id) : undefined,
        request,
        detail: account ? { email } : { email, reason: 'unknown_address' },
      });
      if (!account) return;
      later('reset mail', async () => {
        const token = await tokens.issue(account.id, 'reset-password', RESET_PASSWORD_TTL);
        mailer.send(mailTemplates.resetPassword(account.email, `${issuer}/reset-password?token=${token}`));
      });
    },

    async resetPassword(token, password, request) {
      const refused = (reason: string) =>
        audit.record({
          action: 'user.password_reset',
          outcome: 'failure',
          actor: anonymous,
          request,
          detail: { reason },
        });
      const problem = passwordProblem(password);
      if (problem) {
        await refused('password_policy');
        return { ok: false, field: 'password', message: problem };
      }
      const accountId = await tokens.consume(token, 'reset-password');
      if (!accountId) {
        await refused('invalid_link');
        return { ok: false, field: 'token', message: 'This reset link has expired or was already used.' };
      }
      await accounts.setPasswordHash(accountId, await hasher.hash(password));
      await tokens.spendAll(accountId, 'reset-password');
      await accounts.markEmailVerified(accountId);
      await sessions.endEverything(accountId, 'password_reset');
      const account = await accounts.findById(accountId);
      if (account && request.ip) await throttle.trustAddress(account.email, request.ip);
      await audit.record({
        action: 'user.password_reset',
        actor: user(accountId),
        subject: user(accountId),
        request,
      });
      return { ok: true };
    },

    async changePassword(accountId, current, next, request) {
      const changed = (reason?: string) =>
        audit.record({
          action: 'user.password_changed',
          outcome: reason ? 'failure' : 'success',
          actor: user(accountId),
          subject: user(accountId),
          request,
          detail: reason ? { reason } : {},
        });
      const account = await accounts.findById(accountId);
      if (!account || !(await hasher.verify(current, account.passwordHash))) {
        await changed('wrong_current');
        return { ok: false, field: 'current', message: 'Your current password is not right.' };
      }
      const problem = passwordProblem(next);
      if (problem) {
        await changed('password_policy');
        return { ok: false, field: 'password', message: problem };
      }
      await accounts.setPasswordHash(accountId, await hasher.hash(next));
      await tokens.spendAll(accountId, 'reset-password');
      await changed();
      return { ok: true };
    },
  };
}
