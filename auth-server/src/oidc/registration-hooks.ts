import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { ClientRegistry } from '../clients/client-registry.ts';

/**
 * RFC 7592 deletion goes through oidc-provider, not our registry: finish it the same way (grants,
 * stored tokens and console ownership removed, JWT access tokens revoked) before the 204 leaves.
 */
export function installRegistrationHooks(deps: { provider: Provider; clients: ClientRegistry }): void {
  deps.provider.use(async function registrationCleanup(ctx, next) {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route === 'client_delete' && ctx.status === 204 && oidc.client) {
      await deps.clients.forget(oidc.client.clientId);
    }
  });
}
