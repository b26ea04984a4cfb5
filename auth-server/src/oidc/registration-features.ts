import { randomBytes } from 'node:crypto';
import type { Configuration } from 'oidc-provider';
import { registrationPolicy } from '../clients/registration-policy.ts';

export const REGISTRATION_POLICY = 'vectorauth-default';

/**
 * RFC 7591 registration (initial access tokens required, every token carries our policy) and
 * RFC 7592 management (registration access tokens rotate on every update).
 */
export function registrationFeatures(): Pick<
  NonNullable<Configuration['features']>,
  'registration' | 'registrationManagement'
> {
  return {
    registration: {
      enabled: true,
      initialAccessToken: true,
      policies: { [REGISTRATION_POLICY]: registrationPolicy },
      idFactory: () => randomBytes(16).toString('base64url'),
      secretFactory: () => randomBytes(32).toString('base64url'),
      issueRegistrationAccessToken: true,
    },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
  };
}
