import type { JWTPayload } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditEvent } from './audit-log.ts';
import { auditRequest } from './audit-request.ts';

/*
 * Audit events seen from inside oidc-provider. An opaque token's id is its value: only the grant
 * it belongs to and its kind are recorded, never the token or its id.
 */

const principal = (sub: string, clientId: string) =>
  sub === clientId ? { type: 'client' as const, id: sub } : { type: 'user' as const, id: sub };

/** RFC 7009: the opaque token oidc-provider just destroyed for the client that owns it. */
export function opaqueTokenRevoked(ctx: KoaContextWithOIDC): AuditEvent | undefined {
  const { entities, client } = ctx.oidc;
  const token = entities.RefreshToken ?? entities.AccessToken ?? entities.ClientCredentials;
  if (!token || !client || token.clientId !== client.clientId) return undefined;
  const { accountId, grantId } = token as { accountId?: string; grantId?: string };
  return {
    action: 'token.revoked',
    actor: { type: 'client', id: client.clientId },
    subject: principal(accountId ?? client.clientId, client.clientId),
    request: auditRequest(ctx),
    detail: { kind: token.kind, grant_id: grantId ?? null },
  };
}

/** RFC 7009: one of our JWT access tokens, revoked through the revocation list. */
export function jwtAccessTokenRevoked(ctx: KoaContextWithOIDC, payload: JWTPayload): AuditEvent {
  const clientId = String(payload.client_id);
  return {
    action: 'token.revoked',
    actor: { type: 'client', id: clientId },
    subject: principal(String(payload.sub ?? clientId), clientId),
    request: auditRequest(ctx),
    detail: { kind: 'JwtAccessToken', jti: payload.jti ?? null, grant_id: payload.grant_id ?? null },
  };
}

/**
 * oidc-provider revoked a whole grant outside RFC 7009: a refresh token or authorization code
 * presented again (the token endpoint), or a sign-out ending the grants of the session.
 */
export function grantRevoked(ctx: KoaContextWithOIDC | undefined, grantId: string): AuditEvent {
  const oidc = ctx?.oidc;
  const accountId = oidc?.entities.RefreshToken?.accountId ?? oidc?.entities.Session?.accountId;
  const reused = oidc?.route === 'token';
  return {
    action: 'grant.revoked',
    actor:
      reused && oidc?.client
        ? { type: 'client', id: oidc.client.clientId }
        : accountId
          ? { type: 'user', id: accountId }
          : { type: 'system' },
    subject: accountId ? { type: 'user', id: accountId } : { type: 'grant', id: grantId },
    request: ctx && auditRequest(ctx),
    detail: { grant_id: grantId, reason: reused ? 'reused' : (oidc?.route ?? 'unknown') },
  };
}
