import type { Logger } from '@vectorauth/shared';
import type { SignInThrottle } from '../abuse/sign-in-throttle.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { AccountRepository } from './account-repository.ts';
import type { EmailTokens } from './email-tokens.ts';
import type { PasswordHasher } from './password-hasher.ts';

export interface AccountFlowDeps {
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
}

/** What every account flow works with: its dependencies, audit actors and work done after the answer. */
export interface AccountFlowContext extends AccountFlowDeps {
  user(id: string): { type: 'user'; id: string };
  anonymous: { type: 'anonymous' };
  /** Runs `work` after the answer (mails, rehashing): an answer never waits for, or reveals, it. */
  later(what: string, work: () => Promise<void>): void;
}

export function accountFlowContext(deps: AccountFlowDeps): AccountFlowContext {
  return {
    ...deps,
    user: (id) => ({ type: 'user', id }),
    anonymous: { type: 'anonymous' },
    later: (what, work) =>
      void setImmediate(() => work().catch((err: unknown) => deps.logger.error({ err }, `${what} failed`))),
  };
}
