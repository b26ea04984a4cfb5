import type { Logger, MasterKeyring, MikroORM, Redis } from '@vectorauth/shared';
import { createSignInThrottle, type SignInThrottle } from '../abuse/sign-in-throttle.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthServerConfig } from '../config.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import { createPasskeys, type Passkeys } from '../passkeys/passkeys.ts';
import { createSecondFactors, type SecondFactors } from '../second-factor/second-factors.ts';
import { type AccountFlows, createAccountFlows } from './account-flows.ts';
import type { AccountRepository } from './account-repository.ts';
import { createEmailTokens } from './email-tokens.ts';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.ts';

export interface AccountServices {
  /** bcrypt off the event loop (a worker pool: close it). */
  hasher: PasswordHasher;
  /** Mails go out after the answer (wait for `idle()` before stopping). */
  mailer: Mailer;
  throttle: SignInThrottle;
  flows: AccountFlows;
  /** Two-step sign-in: authenticator apps and recovery codes. */
  secondFactors: SecondFactors;
  /** Passkeys (WebAuthn): passwordless, or the second step. */
  passkeys: Passkeys;
}

/** What the account pages run on: password hashing, mail, the sign-in slowdown, the flows, second factors and passkeys. */
export function createAccountServices(deps: {
  config: Pick<AuthServerConfig, 'bcryptCost' | 'mail' | 'dataDir' | 'issuer' | 'brand' | 'webauthn'>;
  orm: MikroORM;
  /** Wraps the authenticator secrets at rest. */
  keyring: MasterKeyring;
  redis: Redis;
  accounts: AccountRepository;
  sessions: AccountSessions;
  audit: AuditLog;
  logger: Logger;
}): AccountServices {
  const { config, logger } = deps;
  const hasher = createPasswordHasher(config.bcryptCost);
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    dataDir: config.dataDir,
    logger,
  });
  const throttle = createSignInThrottle(deps.redis);
  const flows = createAccountFlows({
    ...deps,
    throttle,
    tokens: createEmailTokens(deps.orm),
    hasher,
    mailer,
    issuer: config.issuer,
  });
  // The authenticator app names the service as the pages do.
  const secondFactors = createSecondFactors({ ...deps, issuer: config.brand.name });
  // Browsers show the relying party's name as the pages do.
  const passkeys = createPasskeys({
    ...deps,
    rp: { id: config.webauthn.rpId, name: config.brand.name, origin: config.webauthn.origin },
  });
  return { hasher, mailer, throttle, flows, secondFactors, passkeys };
}
