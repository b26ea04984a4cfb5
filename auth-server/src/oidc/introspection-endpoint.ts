import type { Provider } from 'oidc-provider';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { Revocations } from '../revocation/revocations.ts';
import type { EndpointAction, OidcEndpoint } from './oidc-endpoint.ts';
import { presentedOwnAccessToken } from './presented-access-token.ts';
import { answerStructuredTokenAsUnknown } from './structured-token-refusal.ts';

/**
 * `POST /token/introspection` (RFC 7662; oidc-provider's `lib/actions/introspection.js` answers
 * for opaque tokens, as token-access-policies.ts allows), and what we add, innermost (last listed)
 * first:
 * 1. a JWT, which oidc-provider refuses, is answered `{active: false}` like any unknown token;
 * 2. one of our own JWT access tokens, issued to the authenticated client and not revoked, is
 *    answered with its claims; when the revocation list cannot be asked it stays inactive.
 */
export function introspectionEndpoint(deps: {
  provider: Provider;
  ownTokens: OwnAccessTokens;
  revocations: Revocations;
}): OidcEndpoint {
  return {
    route: 'introspection',
    method: 'POST',
    actions: [
      introspectOwnJwtAccessToken(deps),
      answerStructuredTokenAsUnknown(deps.provider, 'introspection', () => ({ active: false })),
    ],
  };
}

function introspectOwnJwtAccessToken(deps: {
  ownTokens: OwnAccessTokens;
  revocations: Revocations;
}): EndpointAction {
  return async function introspectOwnJwtAccessToken(ctx, next) {
    await next();
    if ((ctx.body as { active?: boolean } | undefined)?.active !== false) return;
    const presented = await presentedOwnAccessToken(ctx, deps.ownTokens);
    if (!presented) return;
    const { payload, kid } = presented;
    // Fail closed: when the revocation list cannot be asked, the token is reported inactive.
    if (await deps.revocations.isRevoked(payload, kid).catch(() => true)) return;
    ctx.body = {
      active: true,
      token_type: 'Bearer',
      client_id: payload.client_id,
      sub: payload.sub,
      scope: payload.scope,
      iss: payload.iss,
      aud: payload.aud,
      iat: payload.iat,
      exp: payload.exp,
      jti: payload.jti,
    };
  };
}
