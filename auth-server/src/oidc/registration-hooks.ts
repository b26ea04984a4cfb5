import type { Next } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { ConsoleInitialAccessTokens } from '../clients/console-initial-access-tokens.ts';
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
  initialAccessTokens: ConsoleInitialAccessTokens;
}): void {
  // The later step acts first on the answer: the deletion is finished (and a registration
  // adopted) before it is audited.
  const audit = auditRegistrationChange(deps.audit);
  const finish = finishClientDeletion(deps.clients);
  const adopt = adoptConsoleRegistration(deps);
  const atRegistration = endpointPathPrefixMatcher(deps.provider.pathFor('registration', { mountPath: '' }));
  deps.provider.use(function registrationHooks(ctx, next) {
    if (!atRegistration(ctx.path)) return next();
    const oidc = ctx as KoaContextWithOIDC;
    return audit(oidc, () => finish(oidc, () => adopt(oidc, next)));
  });
}

/**
 * An app registered over RFC 7591 with an initial access token a developer made in the console
 * belongs to that developer: it appears in their console, and its consent page names them.
 */
function adoptConsoleRegistration(deps: {
  clients: ClientRegistry;
  initialAccessTokens: ConsoleInitialAccessTokens;
}) {
  return async function adoptConsoleRegistration(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    await next();
    const oidc = ctx.oidc;
    const tokenId = oidc?.entities.InitialAccessToken?.jti;
    const clientId = oidc?.client?.clientId ?? (ctx.body as { client_id?: unknown } | undefined)?.client_id;
    if (oidc?.route !== 'registration' || ctx.status !== 201 || !tokenId || typeof clientId !== 'string')
      return;
    const owner = await deps.initialAccessTokens.ownerOf(tokenId);
    if (owner) await deps.clients.recordOwner(clientId, owner);
  };
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
