import type { Logger } from '@vectorauth/shared';
import { mailTemplates } from '../mail/mail-templates.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { AccountRow } from './account-entity.ts';
import type { AccountRepository } from './account-repository.ts';
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
  signUp(email: string, password: string): Promise<{ ok: true } | { ok: false; message: string }>;
  signIn(email: string, password: string): Promise<SignInResult>;
  resendVerification(account: AccountRow): void;
  verifyEmail(token: string): Promise<boolean>;
  /** Always answers the same; the token and the mail are made off the request path. */
  requestPasswordReset(email: string): Promise<void>;
  resetPassword(token: string, password: string): Promise<PasswordChange>;
  changePassword(accountId: string, current: string, next: string): Promise<PasswordChange>;
}

/**
 * Sign-up, e-mail verification, sign-in, password reset and change. Answers never reveal whether an
 * address has an account: unknown addresses still cost one bcrypt operation, and mails go out later.
 */
export function createAccountFlows(deps: {
  accounts: AccountRepository;
  tokens: EmailTokens;
  hasher: PasswordHasher;
  mailer: Mailer;
  sessions: AccountSessions;
  issuer: string;
  logger: Logger;
}): AccountFlows {
  const { accounts, tokens, hasher, mailer, sessions, issuer, logger } = deps;
  const later = (what: string, work: () => Promise<void>) =>
    setImmediate(() => work().catch((err: unknown) => logger.error({ err }, `${what} failed`)));

  const sendVerification = (account: AccountRow) =>
    later('verification mail', async () => {
      const token = await tokens.issue(account.id, 'verify-email', VERIFY_EMAIL_TTL);
      mailer.send(mailTemplates.verifyEmail(account.email, `${issuer}/verify-email?token=${token}`));
    });

  return {
    async signUp(email, password) {
      const problem = passwordProblem(password);
      if (problem) return { ok: false, message: problem };
      const hash = await hasher.hash(password);
      const created = await accounts.create(email, hash);
      if (created) sendVerification(created);
      else
        mailer.send(mailTemplates.alreadyRegistered(email, `${issuer}/account`, `${issuer}/forgot-password`));
      return { ok: true };
    },

    async signIn(email, password) {
      const account = await accounts.findByEmail(email);
      const matches = await hasher.verify(password, account?.passwordHash);
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

    async verifyEmail(token) {
      const accountId = await tokens.consume(token, 'verify-email');
      if (!accountId) return false;
      await accounts.markEmailVerified(accountId);
      return true;
    },

    async requestPasswordReset(email) {
      const account = await accounts.findByEmail(email);
      if (!account) return;
      later('reset mail', async () => {
        const token = await tokens.issue(account.id, 'reset-password', RESET_PASSWORD_TTL);
        mailer.send(mailTemplates.resetPassword(account.email, `${issuer}/reset-password?token=${token}`));
      });
    },

    async resetPassword(token, password) {
      const problem = passwordProblem(password);
      if (problem) return { ok: false, field: 'password', message: problem };
      const accountId = await tokens.consume(token, 'reset-password');
      if (!accountId)
        return { ok: false, field: 'token', message: 'This reset link has expired or was already used.' };
      await accounts.setPasswordHash(accountId, await hasher.hash(password));
      await tokens.spendAll(accountId, 'reset-password');
      await accounts.markEmailVerified(accountId);
      await sessions.endEverything(accountId);
      return { ok: true };
    },

    async changePassword(accountId, current, next) {
      const account = await accounts.findById(accountId);
      if (!account || !(await hasher.verify(current, account.passwordHash))) {
        return { ok: false, field: 'current', message: 'Your current password is not right.' };
      }
      const problem = passwordProblem(next);
      if (problem) return { ok: false, field: 'password', message: problem };
      await accounts.setPasswordHash(accountId, await hasher.hash(next));
      await tokens.spendAll(accountId, 'reset-password');
      return { ok: true };
    },
  };
}
