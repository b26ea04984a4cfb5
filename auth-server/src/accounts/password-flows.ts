import { mailTemplates } from '../mail/mail-templates.ts';
import type { AccountFlowContext } from './account-flow-context.ts';
import type { AccountFlows } from './account-flows.ts';
import { mailedLink } from './mailed-link.ts';
import { passwordProblem } from './password-policy.ts';

export const RESET_PASSWORD_TTL = 30 * 60;

/**
 * Password reset (by a mailed single-use link) and change. A reset request always answers the
 * same; a completed reset or change spends every outstanding reset link, and a reset ends every
 * session and grant of the account.
 */
export function createPasswordFlows(
  ctx: AccountFlowContext,
): Pick<AccountFlows, 'requestPasswordReset' | 'resetPassword' | 'changePassword'> {
  const { accounts, tokens, hasher, mailer, sessions, issuer, audit, throttle, user, anonymous } = ctx;
  return {
    async requestPasswordReset(email, request, linkParams) {
      const account = await accounts.findByEmail(email);
      await audit.record({
        action: 'user.password_reset_requested',
        actor: anonymous,
        subject: account ? user(account.id) : undefined,
        request,
        detail: account ? { email } : { email, reason: 'unknown_address' },
      });
      if (!account) return;
      ctx.later('reset mail', async () => {
        const token = await tokens.issue(account.id, 'reset-password', RESET_PASSWORD_TTL);
        const link = mailedLink(`${issuer}/reset-password`, token, linkParams);
        mailer.send(mailTemplates.resetPassword(account.email, link));
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
    changePassword: createChangePassword(ctx),
  };
}

/** A signed-in person's password change: the current password first, then the policy. */
function createChangePassword(ctx: AccountFlowContext): AccountFlows['changePassword'] {
  const { accounts, tokens, hasher, audit, user } = ctx;
  return async function changePassword(accountId, current, next, request) {
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
  };
}
