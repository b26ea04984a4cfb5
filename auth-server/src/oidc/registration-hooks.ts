import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';

/** oidc-provider's registration routes that change a client, and their audit action. */
const AUDITED: Record<string, [AuditAction, number]> = {
  registration: ['client.registered', 201],
  client_update: ['client.updated', 200],
  client_delete: ['client.deleted', 204],
};

/**
 * RFC 7592 deletion goes through oidc-provider, not our registry: finish it the same way (grants,
 * stored tokens and console ownership removed, JWT access tokens revoked) before the 204 leaves.
 * RFC 7591 registrations and RFC 7592 updates and deletions go to the audit trail.
 */
export function installRegistrationHooks(deps: {
  provider: Provider;
  clients: ClientRegistry;
  audit: AuditLog;
}): void {
  deps.provider.use(async function registrationCleanup(ctx, next) {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route === 'client_delete' && ctx.status === 204 && oidc.client) {
      await deps.clients.forget(oidc.client.clientId);
    }
    const [action, status] = AUDITED[oidc?.route ?? ''] ?? [];
    const clientId = oidc?.client?.clientId ?? (ctx.body as { client_id?: unknown } | undefined)?.client_id;
    if (action && ctx.status === status && typeof clientId === 'string') {
      await deps.audit.record({
        action,
        // Registration is open to whoever holds an initial access token; afterwards the client acts.
        actor: action === 'client.registered' ? { type: 'anonymous' } : { type: 'client', id: clientId },
        subject: { type: 'client', id: clientId },
        clientId,
        request: auditRequest(ctx as KoaContextWithOIDC),
        detail: { via: 'dcr' },
      });
    }
  });
}
