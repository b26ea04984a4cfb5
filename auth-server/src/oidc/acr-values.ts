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

/** RFC 8176 method references by the kind of factor they are: something known, held, or been. */
const KNOWN = new Set(['pwd', 'pin', 'kba']);
const HELD = new Set(['hwk', 'swk', 'otp', 'sms', 'tel', 'sc']);
const BEEN = new Set(['fpt', 'face', 'iris', 'retina', 'vbm']);

/**
 * Whether an upstream provider's method references say its own sign-in used two factors: `mfa`,
 * or methods of two different kinds (a password and a code, a security key and a fingerprint).
 * One kind alone is one factor, however strong: a code mailed for a passwordless sign-in (`otp`),
 * or a security key without a PIN (`hwk`), must not skip our second step.
 */
export function includesSecondFactor(amr: readonly string[]): boolean {
  if (amr.includes('mfa')) return true;
  const kinds = [KNOWN, HELD, BEEN].filter((kind) => amr.some((m) => kind.has(m)));
  return kinds.length >= 2;
}

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
