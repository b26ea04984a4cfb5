import type { AadContext, MasterKeyring, Wrapped } from '@vectorauth/shared';

/** The AAD a TOTP secret is wrapped under: bound to its account (a row moved to another account does not open). */
export const TOTP_SECRET_AAD = (accountId: string): AadContext => ({ purpose: 'totp-secret', accountId });

/** TOTP secrets at rest, sealed like client secrets: the first master key wraps, every key unwraps. */
export interface TotpSecretSeal {
  seal(accountId: string, secret: Buffer): Wrapped;
  open(accountId: string, wrapped: Wrapped): Buffer;
}

export function createTotpSecretSeal(keyring: MasterKeyring): TotpSecretSeal {
  return {
    seal: (accountId, secret) => keyring.wrap(secret, TOTP_SECRET_AAD(accountId)),
    open: (accountId, wrapped) => keyring.unwrap(wrapped, TOTP_SECRET_AAD(accountId)),
  };
}
