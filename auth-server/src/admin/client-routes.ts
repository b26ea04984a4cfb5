import type {} from '@koa/bodyparser';
import Router from '@koa/router';
import type { ClientRegistry } from '../clients/client-registry.ts';

/** `/admin/clients`: create (secret returned once), list, read, delete. */
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
  router.delete('/:id', async (ctx) => {
    await clients.delete(ctx.params.id!);
    ctx.status = 204;
  });
  return router;
}
