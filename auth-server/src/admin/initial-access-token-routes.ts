import Router from '@koa/router';
import { parseInput } from '@vectorauth/shared';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import { REGISTRATION_POLICY } from '../oidc/registration-features.ts';

export const createSchema = z
  .object({
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(24 * 3600),
  })
  .strict();

/** `POST /admin/initial-access-tokens`: a bearer token that lets one party register clients (RFC 7591) under our policy. */
export function createInitialAccessTokenRoutes(provider: () => Provider): Router {
  const router = new Router({ prefix: '/admin/initial-access-tokens' });
  router.post('/', async (ctx) => {
    const { expires_in } = parseInput(createSchema, ctx.request.body ?? {});
    const token = await new (provider().InitialAccessToken)({
      expiresIn: expires_in,
      policies: [REGISTRATION_POLICY],
    }).save();
    ctx.status = 201;
    ctx.body = { initial_access_token: token, expires_in, registration_endpoint: `${provider().issuer}/reg` };
  });
  return router;
}
