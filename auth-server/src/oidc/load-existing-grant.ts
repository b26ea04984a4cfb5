import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The grant an authorization request continues with: the one consent produced, or the session's
 * grant for this client. First-party clients get one made on the spot with what they asked for,
 * so they never show a consent screen; third-party clients always go through consent once.
 */
export async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client!;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
  if (grantId) return oidc.provider.Grant.find(grantId);
  if ((client as unknown as { first_party?: boolean }).first_party !== true) return undefined;
  const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId: oidc.session!.accountId });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    const allowed = new Set(String(server.scope ?? '').split(' '));
    const requested = [...oidc.requestParamScopes].filter((s) => allowed.has(s));
    if (requested.length) grant.addResourceScope(indicator, requested.join(' '));
  }
  await grant.save();
  return grant;
}
