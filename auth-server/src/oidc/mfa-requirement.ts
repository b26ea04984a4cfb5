/**
 * `REQUIRE_MFA`: whom the operator requires to sign in with two factors. `off`: each person chooses;
 * `all`: every authorization request; `admin`: requests of apps that may act as an administrator
 * (registered for, or asking, the `admin` scope).
 */
export const MFA_REQUIREMENTS = ['off', 'all', 'admin'] as const;
export type MfaRequirement = (typeof MFA_REQUIREMENTS)[number];

const words = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ') : []);

/** Whether the operator's setting requires two factors for this authorization request. */
export function mfaRequired(
  requirement: MfaRequirement,
  request: { clientScope?: unknown; requestedScope?: unknown },
): boolean {
  if (requirement === 'all') return true;
  if (requirement === 'off') return false;
  return [...words(request.clientScope), ...words(request.requestedScope)].includes('admin');
}
