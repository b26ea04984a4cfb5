import type { Redis } from '@vectorauth/shared';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import { grantRevoked, jwtAccessTokenRevoked, opaqueTokenRevoked } from '../audit/oidc-events.ts';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { RevocationSource } from '../revocation/revocation-source.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { answerOauthUnavailable } from './oauth-unavailable.ts';

/** Why oidc-provider revoked a grant, from the request that did it. */
function grantRevokedSource(ctx: KoaContextWithOIDC | undefined): RevocationSource {
  const route = ctx?.oidc?.route;
  if (route === 'revocation') return 'rfc7009';
  // With our features (no device flow, CIBA or pre-authorized codes), the only other request on
  // which oidc-provider revokes grants is RP-initiated logout.
  if (route !== 'token') return 'logout';
  return ctx?.oidc.params?.grant_type === 'refresh_token' ? 'refresh_reuse' : 'code_reuse';
}

/**
 * Wires oidc-provider to the revocation protocol:
 * - the token endpoint refuses to issue while Redis is away (a token it could not later revoke);
 * - every grant oidc-provider revokes (refresh-token or code reuse, RFC 7009 on a refresh token,
 *   RP-initiated logout) is marked before the response leaves, with its cause;
 * - RFC 7009 revocation and RFC 7662 introspection understand JWT access tokens, for the
 *   authenticated client's own tokens only (a foreign or unknown token is simply inactive);
 * - each revocation goes to the audit trail (RFC 7009 as `token.revoked`, the rest as `grant.revoked`).
 */
export function installRevocationHooks(deps: {
  provider: Provider;
  redis: Redis;
  revocations: Revocations;
  ownTokens: OwnAccessTokens;
  audit: AuditLog;
}): void {
  const { provider, redis, revocations, ownTokens, audit } = deps;
  const pending = new WeakMap<object, Promise<void>[]>();

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const work = revocations.revokeGrant(grantId, grantRevokedSource(ctx));
    const list = ctx ? pending.get(ctx) : undefined;
    if (list) list.push(work);
    else work.catch(() => undefined);
    if (ctx?.oidc?.route !== 'revocation') list?.push(audit.record(grantRevoked(ctx, grantId)));
  });

  provider.use(async function revocationProtocol(ctx, next) {
    if (ctx.method === 'POST' && ctx.path === '/token' && redis.status !== 'ready') {
      answerOauthUnavailable(ctx, 'tokens cannot be issued right now; try again shortly');
      return;
    }
    const work: Promise<void>[] = [];
    pending.set(ctx, work);
    await next();
    await Promise.all(work);

    const route = (ctx as KoaContextWithOIDC).oidc?.route;
    if (route !== 'revocation' && route !== 'introspection') return;
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    const token = oidc.params?.token;
    const client = oidc.client;
    if (typeof token !== 'string' || !client) return;
    const revokedHere =
      route === 'revocation' && ctx.status === 200 && opaqueTokenRevoked(ctx as KoaContextWithOIDC);
    if (revokedHere) await audit.record(revokedHere);
    // oidc-provider refuses structured tokens at both endpoints ("cannot be revoked/introspected"): we can.
    const refusedJwt = (ctx.body as { error?: string } | undefined)?.error === 'unsupported_token_type';
    if (ctx.status !== 200 && !refusedJwt) return;
    if (refusedJwt) {
      // RFC 7009 2.2 / RFC 7662 2.2: an unknown or foreign token gets 200 (and `active: false`).
      ctx.status = 200;
      ctx.body = route === 'revocation' ? '' : { active: false };
    }
    const payload = await ownTokens.read(token);
    if (!payload || payload.client_id !== client.clientId) return;

    if (route === 'revocation') {
      try {
        await revocations.revokeToken(String(payload.jti), Number(payload.exp), 'rfc7009');
        await audit.record(jwtAccessTokenRevoked(ctx as KoaContextWithOIDC, payload));
      } catch {
        answerOauthUnavailable(ctx, 'the revocation could not be completed; retry');
      }
      return;
    }
    const body = ctx.body as { active?: boolean } | undefined;
    if (body?.active !== false) return;
    // Fail closed: when the revocation list cannot be asked, the token is reported inactive.
    const revoked = await revocations.isRevoked(payload).catch(() => true);
    if (!revoked) {
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
    }
  });
}
