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
  /** Two factors: a password or an upstream provider, and an authenticator code or a recovery code (or an upstream sign-in that says it used two). */
  mfa: 'urn:vectorauth:acr:mfa',
} as const;

export const ACR_VALUES = [ACR.password, ACR.federated, ACR.mfa];

/**
 * Method references (RFC 8176) of a second factor: `otp` (ours: an authenticator or recovery
 * code), and what an upstream ID token's `amr` may say of its own sign-in (`mfa`, `otp`, `hwk`).
 */
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk']);

/** Whether the method references include a second factor. */
export const includesSecondFactor = (amr: readonly string[]): boolean =>
  amr.some((m) => SECOND_FACTOR_AMR.has(m));

/** The class a sign-in with these method references reaches. */
export function acrFor(amr: readonly string[]): string {
  if (includesSecondFactor(amr)) return ACR.mfa;
  return amr.includes('fed') ? ACR.federated : ACR.password;
}
