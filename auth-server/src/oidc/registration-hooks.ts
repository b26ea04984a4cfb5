import type { Next } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import { endpointPathPrefixMatcher } from './oidc-endpoint.ts';

/** oidc-provider's registration routes that change a client, and their audit action. */
const AUDITED: Record<string, [AuditAction, number]> = {
  registration: ['client.registered', 201],
  client_update: ['client.updated', 200],
  client_delete: ['client.deleted', 204],
};

/**
 * What we add to oidc-provider's RFC 7591/7592 endpoints (`/reg`, `/reg/:clientId`), each step
 * acting on its answer: a deletion is finished like our registry's own, then the change is audited.
 */
export function installRegistrationHooks(deps: {
  provider: Provider;
  clients: ClientRegistry;
  audit: AuditLog;
}): void {
  // The later step acts first on the answer: the deletion is finished before it is audited.
  const audit = auditRegistrationChange(deps.audit);
  const finish = finishClientDeletion(deps.clients);
  const atRegistration = endpointPathPrefixMatcher(deps.provider.pathFor('registration', { mountPath: '' }));
  deps.provider.use(function registrationHooks(ctx, next) {
    if (!atRegistration(ctx.path)) return next();
    return audit(ctx as KoaContextWithOIDC, () => finish(ctx as KoaContextWithOIDC, next));
  });
}

/**
 * RFC 7592 deletion goes through oidc-provider, not our registry: finish it the same way (grants,
 * stored tokens and console ownership removed, JWT access tokens revoked) before the 204 leaves.
 */
function finishClientDeletion(clients: ClientRegistry) {
  return async function finishClientDeletion(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    await next();
    const oidc = ctx.oidc;
    if (oidc?.route === 'client_delete' && ctx.status === 204 && oidc.client) {
      await clients.forget(oidc.client.clientId);
    }
  };
}

/** RFC 7591 registrations and RFC 7592 updates and deletions go to the audit trail. */
function auditRegistrationChange(audit: AuditLog) {
  return async function auditRegistrationChange(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    await next();
    const oidc = ctx.oidc;
    const [action, status] = AUDITED[oidc?.route ?? ''] ?? [];
    const clientId = oidc?.client?.clientId ?? (ctx.body as { client_id?: unknown } | undefined)?.client_id;
    if (!action || ctx.status !== status || typeof clientId !== 'string') return;
    await audit.record({
      action,
      // Registration is open to whoever holds an initial access token; afterwards the client acts.
      actor: action === 'client.registered' ? { type: 'anonymous' } : { type: 'client', id: clientId },
      subject: { type: 'client', id: clientId },
      clientId,
      request: auditRequest(ctx),
      detail: { via: 'dcr' },
    });
  };
}
