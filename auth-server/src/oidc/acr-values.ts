/**
 * The authentication context classes (`acr`) a sign-in reaches, advertised in discovery as
 * `acr_values_supported`. An app that needs two-step sign-in asks `acr_values=` the `mfa` one
 * (or registers it as `default_acr_values`); a session signed in with one factor is asked for the
 * second (see step-up-policy.ts).
 */
export const ACR = {
  /** A password alone. */
  password: 'urn:vectorauth:acr:pwd',
  /** An upstream provider ("Continue with ...") alone. */
  federated: 'urn:vectorauth:acr:fed',
  /** A passkey alone that did not verify the person (no PIN, no biometric): one factor, possession. */
  passkey: 'urn:vectorauth:acr:hwk',
  /**
   * Two factors: a password, an upstream provider or a passkey, and an authenticator code, a
   * recovery code or a passkey; a passkey that verified the person (two factors on its own); or an
   * upstream sign-in that says it used two.
   */
  mfa: 'urn:vectorauth:acr:mfa',
} as const;

export const ACR_VALUES = [ACR.password, ACR.federated, ACR.passkey, ACR.mfa];

/**
 * Method references (RFC 8176) of a second factor: `otp` (ours: an authenticator or recovery
 * code), and what an upstream ID token's `amr` may say of its own sign-in (`mfa`, `otp`, `hwk`).
 */
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk']);

/** Whether an upstream provider's method references include a second factor. */
export const includesSecondFactor = (amr: readonly string[]): boolean =>
  amr.some((m) => SECOND_FACTOR_AMR.has(m));

/**
 * The factors our own method references stand for, one per authenticator used: a password
 * (`pwd`), an upstream provider (`fed`), a passkey (`hwk`, see passkeys.ts), a code (`otp`).
 */
const FACTOR_AMR = new Set(['pwd', 'fed', 'hwk', 'otp']);

/** Whether the sign-in these method references describe used two factors. */
export const isMultiFactor = (amr: readonly string[]): boolean =>
  amr.includes('mfa') || new Set(amr.filter((m) => FACTOR_AMR.has(m))).size >= 2;

/** The class a sign-in with these method references reaches. */
export function acrFor(amr: readonly string[]): string {
  if (isMultiFactor(amr)) return ACR.mfa;
  if (amr.includes('hwk')) return ACR.passkey;
  return amr.includes('fed') ? ACR.federated : ACR.password;
}
