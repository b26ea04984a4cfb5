import type {} from '@koa/bodyparser';
import Router from '@koa/router';
import { parseInput } from '@vectorauth/shared';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';

export const patchSchema = z.object({ first_party: z.boolean() }).strict();
export const rotateSchema = z.object({ revoke_tokens: z.boolean().default(false) }).strict();

/** `/admin/clients`: create (secret returned once), list, read, mark first-party, rotate the secret, delete. */
export function createClientRoutes(clients: ClientRegistry, audit: AuditLog): Router {
  const router = new Router({ prefix: '/admin/clients' });
  const audited = (ctx: Context, action: AuditAction, clientId: string, detail = {}) =>
    audit.record({
      action,
      actor: { type: 'admin' },
      subject: { type: 'client', id: clientId },
      clientId,
      request: auditRequest(ctx),
      detail: { via: 'admin', ...detail },
    });
  router.post('/', async (ctx) => {
    const created = await clients.create(ctx.request.body);
    await audited(ctx, 'client.registered', created.client_id, { first_party: created.first_party === true });
    ctx.status = 201;
    ctx.body = created;
  });
  router.get('/', async (ctx) => {
    ctx.body = { clients: await clients.list() };
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await clients.get(ctx.params.id!);
  });
  router.patch('/:id', async (ctx) => {
    const { first_party } = parseInput(patchSchema, ctx.request.body ?? {});
    ctx.body = await clients.setFirstParty(ctx.params.id!, first_party);
    await audited(ctx, 'client.updated', ctx.params.id!, { first_party });
  });
  router.post('/:id/secret', async (ctx) => {
    const { revoke_tokens } = parseInput(rotateSchema, ctx.request.body ?? {});
    ctx.body = await clients.rotateSecret(ctx.params.id!, { revokeTokens: revoke_tokens });
    await audited(ctx, 'client.secret_rotated', ctx.params.id!, { revoked_access: revoke_tokens });
  });
  router.delete('/:id', async (ctx) => {
    await clients.delete(ctx.params.id!);
    await audited(ctx, 'client.deleted', ctx.params.id!);
    ctx.status = 204;
  });
  return router;
}
