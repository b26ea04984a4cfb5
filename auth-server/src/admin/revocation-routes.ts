import Router from '@koa/router';
import type { Revocations } from '../revocation/revocations.ts';

/** `POST /admin/revocations/replay`: rebuild Redis's revocation list from Postgres (after Redis lost data). */
export function createRevocationRoutes(revocations: Revocations): Router {
  const router = new Router({ prefix: '/admin/revocations' });
  router.post('/replay', async (ctx) => {
    ctx.body = { replayed: await revocations.replay() };
  });
  return router;
}
