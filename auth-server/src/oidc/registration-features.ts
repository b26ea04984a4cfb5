import type { Configuration } from 'oidc-provider';
import { ANONYMOUS_POLICY, anonymousRegistrationPolicy } from '../clients/anonymous-registration-policy.ts';
import { newClientId, newClientSecret } from '../clients/new-client.ts';
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
      policies: {
        [REGISTRATION_POLICY]: registrationPolicy,
        [ANONYMOUS_POLICY]: anonymousRegistrationPolicy,
      },
      idFactory: newClientId,
      secretFactory: newClientSecret,
      issueRegistrationAccessToken: true,
    },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
  };
}
