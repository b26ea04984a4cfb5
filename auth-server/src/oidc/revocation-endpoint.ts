import type { Provider } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import { jwtAccessTokenRevoked, opaqueTokenRevoked } from '../audit/oidc-events.ts';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { answerOauthUnavailable } from './oauth-unavailable.ts';
import type { EndpointAction, OidcEndpoint } from './oidc-endpoint.ts';
import { presentedOwnAccessToken } from './presented-access-token.ts';
import { answerStructuredTokenAsUnknown } from './structured-token-refusal.ts';

/**
 * `POST /token/revocation` (RFC 7009; oidc-provider's `lib/actions/revocation.js` revokes opaque
 * tokens, refusing another client's as token-access-policies.ts says), and what we add, innermost
 * (last listed) first:
 * 1. a JWT, which oidc-provider refuses, is answered 200 like any token the server does not revoke;
 * 2. one of our own JWT access tokens, issued to the authenticated client, is revoked through the
 *    revocation list (a foreign or unknown token: still 200, nothing done); 503 if that fails;
 * 3. the token revoked goes to the audit trail as `token.revoked`.
 *
 * The grant of a revoked refresh or access token is marked before the answer leaves
 * (grant-revoked-listener.ts).
 */
export function revocationEndpoint(deps: {
  provider: Provider;
  ownTokens: OwnAccessTokens;
  revocations: Revocations;
  audit: AuditLog;
}): OidcEndpoint {
  return {
    route: 'revocation',
    method: 'POST',
    actions: [
      auditOpaqueTokenRevoked(deps.audit),
      revokeOwnJwtAccessToken(deps),
      answerStructuredTokenAsUnknown(deps.provider, 'revocation', () => ''),
    ],
  };
}

function auditOpaqueTokenRevoked(audit: AuditLog): EndpointAction {
  return async function auditOpaqueTokenRevoked(ctx, next) {
    await next();
    const revoked = ctx.status === 200 && opaqueTokenRevoked(ctx);
    if (revoked) await audit.record(revoked);
  };
}

function revokeOwnJwtAccessToken(deps: {
  ownTokens: OwnAccessTokens;
  revocations: Revocations;
  audit: AuditLog;
}): EndpointAction {
  return async function revokeOwnJwtAccessToken(ctx, next) {
    await next();
    const payload = (await presentedOwnAccessToken(ctx, deps.ownTokens))?.payload;
    if (!payload) return;
    try {
      await deps.revocations.revokeToken(String(payload.jti), Number(payload.exp), 'rfc7009');
      await deps.audit.record(jwtAccessTokenRevoked(ctx, payload));
    } catch {
      answerOauthUnavailable(ctx, 'the revocation could not be completed; retry');
    }
  };
}
