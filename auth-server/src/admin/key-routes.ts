import Router from '@koa/router';
import type { SigningKeyStore } from '../keys/signing-key-store.ts';

/** `/admin/keys`: the signing keys and their lifecycle states (never private parts). */
export function createKeyRoutes(keys: SigningKeyStore): Router {
  const router = new Router({ prefix: '/admin/keys' });
  router.get('/', async (ctx) => {
    ctx.body = { keys: await keys.list() };
  });
  return router;
}
