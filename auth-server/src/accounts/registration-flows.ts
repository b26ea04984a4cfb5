import { mailTemplates } from '../mail/mail-templates.ts';
import type { AccountFlowContext } from './account-flow-context.ts';
import type { AccountFlows, MailedLinkParams } from './account-flows.ts';
import type { AccountRow } from './account-repository.ts';
import { mailedLink } from './mailed-link.ts';
import { passwordProblem } from './password-policy.ts';

export const VERIFY_EMAIL_TTL = 24 * 3600;

/**
 * Sign-up and e-mail verification. Sign-up always answers the same: an address that already has
 * an account gets an "already registered" mail instead of a second account.
 */
export function createRegistrationFlows(
  ctx: AccountFlowContext,
): Pick<AccountFlows, 'signUp' | 'resendVerification' | 'verifyEmail'> {
  const { accounts, tokens, hasher, mailer, issuer, audit, user, anonymous } = ctx;

  const sendVerification = (account: AccountRow, linkParams?: MailedLinkParams) =>
    ctx.later('verification mail', async () => {
      const token = await tokens.issue(account.id, 'verify-email', VERIFY_EMAIL_TTL);
      const link = mailedLink(`${issuer}/verify-email`, token, linkParams);
      mailer.send(mailTemplates.verifyEmail(account.email, link));
    });

  return {
    async signUp(email, password, request, linkParams) {
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
      if (created) sendVerification(created, linkParams);
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
  };
}
