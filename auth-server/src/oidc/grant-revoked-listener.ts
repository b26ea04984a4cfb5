import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import { grantRevoked } from '../audit/oidc-events.ts';
import type { RevocationSource } from '../revocation/revocation-source.ts';
import type { Revocations } from '../revocation/revocations.ts';

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
 * oidc-provider's `grant.revoked` event, on any endpoint (a refresh token or authorization code
 * presented again at /token, RFC 7009 on a refresh or access token, RP-initiated logout): the grant
 * is marked in the revocation protocol with its cause and, outside RFC 7009 (whose endpoint audits
 * the token itself, revocation-endpoint.ts), recorded as `grant.revoked`. The returned middleware,
 * installed innermost for every endpoint, holds the answer until that work is done.
 */
export function listenForGrantRevocations(deps: {
  provider: Provider;
  revocations: Revocations;
  audit: AuditLog;
}) {
  const { provider, revocations, audit } = deps;
  const pending = new WeakMap<object, Promise<void>[]>();

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const work = revocations.revokeGrant(grantId, grantRevokedSource(ctx));
    const list = ctx ? pending.get(ctx) : undefined;
    if (list) list.push(work);
    else work.catch(() => undefined);
    if (ctx?.oidc?.route !== 'revocation') list?.push(audit.record(grantRevoked(ctx, grantId)));
  });

  const settled = () => undefined;
  return function awaitGrantRevocations(ctx: Context, next: Next): Promise<void> {
    const work: Promise<void>[] = [];
    pending.set(ctx, work);
    // Most requests revoke nothing: their answer is not held for an empty list.
    return next().then(() => (work.length === 0 ? undefined : Promise.all(work).then(settled)));
  };
}
