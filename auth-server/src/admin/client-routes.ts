import type {} from '@koa/bodyparser';
import Router from '@koa/router';
import { parseInput } from '@vectorauth/shared';
import { z } from 'zod';
import type { ClientRegistry } from '../clients/client-registry.ts';

const patchSchema = z.object({ first_party: z.boolean() }).strict();
const rotateSchema = z.object({ revoke_tokens: z.boolean().default(false) }).strict();

/** `/admin/clients`: create (secret returned once), list, read, mark first-party, rotate the secret, delete. */
export function createClientRoutes(clients: ClientRegistry): Router {
  const router = new Router({ prefix: '/admin/clients' });
  router.post('/', async (ctx) => {
    ctx.status = 201;
    ctx.body = await clients.create(ctx.request.body);
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
  });
  router.post('/:id/secret', async (ctx) => {
    const { revoke_tokens } = parseInput(rotateSchema, ctx.request.body ?? {});
    ctx.body = await clients.rotateSecret(ctx.params.id!, { revokeTokens: revoke_tokens });
  });
  router.delete('/:id', async (ctx) => {
    await clients.delete(ctx.params.id!);
    ctx.status = 204;
  });
  return router;
}
