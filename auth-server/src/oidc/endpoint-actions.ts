import type { Redis } from '@vectorauth/shared';
import type { Provider } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { listenForGrantRevocations } from './grant-revoked-listener.ts';
import { introspectionEndpoint } from './introspection-endpoint.ts';
import { installOidcEndpoints } from './oidc-endpoint.ts';
import type { RefreshRotation } from './refresh-rotation.ts';
import { revocationEndpoint } from './revocation-endpoint.ts';
import { tokenEndpoint } from './token-endpoint.ts';

/**
 * What the auth server adds to oidc-provider's OAuth endpoints, one list of named steps per
 * endpoint: token-endpoint.ts, revocation-endpoint.ts (RFC 7009), introspection-endpoint.ts
 * (RFC 7662); and, whichever endpoint revokes a grant, the grant marked in the revocation protocol
 * before the answer leaves (grant-revoked-listener.ts).
 */
export function installEndpointActions(deps: {
  provider: Provider;
  redis: Redis;
  rotation: RefreshRotation;
  revocations: Revocations;
  ownTokens: OwnAccessTokens;
  audit: AuditLog;
}): void {
  const { provider } = deps;
  installOidcEndpoints(provider, [
    tokenEndpoint(deps),
    revocationEndpoint(deps),
    introspectionEndpoint(deps),
  ]);
  // Innermost: the grants a request revoked are marked before any step above reads its answer.
  provider.use(listenForGrantRevocations(deps));
}
