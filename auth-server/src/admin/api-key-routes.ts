import type {} from '@koa/bodyparser';
import Router from '@koa/router';
import { NotFoundError, parseInput } from '@vectorauth/shared';
import { z } from 'zod';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';

export const leakedKeySchema = z.object({ key: z.string().min(1).max(256) }).strict();

/**
 * `/admin/api-keys`: what an operator needs when a key leaks (a secret scanner reports the whole
 * key, found by its `vak_` prefix), and when Redis lost the published keys.
 *
 * - `POST /revoke`     `{"key": "vak_…"}`: revoke that key, whoever owns it
 * - `POST /republish`  publish every live key into Redis again
 */
export function createApiKeyRoutes(deps: { apiKeys: ApiKeys; audit: AuditLog }): Router {
  const router = new Router({ prefix: '/admin/api-keys' });
  router.post('/revoke', async (ctx) => {
    const { key } = parseInput(leakedKeySchema, ctx.request.body ?? {});
    const revoked = await deps.apiKeys.revokeLeaked(key);
    if (!revoked) throw new NotFoundError('no live API key has this value (unknown, revoked or expired)');
    await deps.audit.record({
      action: 'api_key.revoked',
      actor: { type: 'admin' },
      subject: { type: 'api_key', id: revoked.id },
      ...(revoked.ownerKind === 'client' ? { clientId: revoked.subject } : {}),
      request: auditRequest(ctx),
      detail: { via: 'admin', reason: 'leaked', owner_kind: revoked.ownerKind, owner: revoked.subject },
    });
    ctx.body = { revoked: true, id: revoked.id, owner_kind: revoked.ownerKind, owner: revoked.subject };
  });
  router.post('/republish', async (ctx) => {
    ctx.body = { published: await deps.apiKeys.republish() };
  });
  return router;
}
