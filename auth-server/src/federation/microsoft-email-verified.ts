import type { IDToken } from 'openid-client';

/**
 * Whether a Microsoft Entra ID token proves its `email` claim. Entra sends no `email_verified`;
 * its documented signal is the optional claim `xms_edov` ("email domain owner verified": the
 * address's domain is a verified domain of the user's home tenant, or the address comes from a
 * Microsoft account, Google federation or one-time-passcode sign-in). So the address counts as
 * verified only with the optional `email` claim and `xms_edov: true` (or an explicit
 * `email_verified: true`, should Entra ever send one). `preferred_username` and `upn` are never
 * read as an address: they are sign-in names, and anyone's admin can set them to anything.
 */
export function microsoftEmailVerified(claims: IDToken): boolean {
  if (typeof claims.email !== 'string') return false;
  return claims.xms_edov === true || claims.email_verified === true;
}
