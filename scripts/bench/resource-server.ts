/**
 * A resource server built from the shared library, in its own process, for measuring what each
 * layer costs: MODE=plain (verify only), revocation (+ the Redis revocation check), ratelimit
 * (+ a per-principal rate limit, in the same Redis round trip as the revocation check, as the
 * vector API does), dpop (ratelimit, and DPoP-bound tokens with their proofs, the proof's jti in
 * that same round trip), apikey (ratelimit, and personal API keys beside tokens, as the vector API
 * verifies them). Prints its URL on stdout.
 */
import {
  createAccessTokenVerifier,
  createApiKeyRecords,
  createApiKeyVerifier,
  createBearerAuth,
  createCredentialVerifier,
  createDpopProofVerifier,
  createErrorHandler,
  createLogger,
  createRateLimiter,
  createRedis,
  createRequestChecks,
  createRevocationStore,
  listen,
  type RouteChecks,
} from '@vectorauth/shared';
import Koa from 'koa';
import { startCpuProfile } from './cpu-profile.ts';

const { ISSUER, AUDIENCE, REDIS_URL, MODE = 'plain' } = process.env;
const profile = await startCpuProfile(`resource-server-${MODE}`);
if (!ISSUER || !AUDIENCE || !REDIS_URL) throw new Error('ISSUER, AUDIENCE and REDIS_URL are required');
const logger = createLogger({ name: 'bench-resource-server', level: 'warn' });
const redis = createRedis(REDIS_URL, 'bench-resource-server', logger);
const tokens = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/jwks` });
const verifier =
  MODE === 'apikey'
    ? createCredentialVerifier(tokens, createApiKeyVerifier({ records: createApiKeyRecords(redis) }))
    : tokens;
const app = new Koa();
app.use(createErrorHandler(logger));
const revocations = createRevocationStore(redis);
// As the vector API's routes: revocation, scope and the rate limit in one Redis round trip.
const route: RouteChecks = {
  checks: createRequestChecks(redis, {
    revocations,
    limiter: createRateLimiter(redis, { windowMs: 60_000 }),
  }),
  scope: 'vectors:read',
  limit: (token) => ({ bucket: `bench:${token.sub}`, max: 10_000_000 }),
};
let url = '';
const dpop = { verifier: createDpopProofVerifier(), requestUrl: (ctx: Koa.Context) => `${url}${ctx.path}` };
app.use(
  createBearerAuth(
    verifier,
    MODE === 'plain'
      ? {}
      : MODE === 'revocation'
        ? { revocations }
        : MODE === 'dpop'
          ? { route, dpop }
          : { route },
  ),
);
app.use((ctx) => {
  ctx.body = { sub: ctx.state.token.sub };
});
const server = await listen(app, '127.0.0.1', 0);
url = server.url;
console.log(server.url);
process.on('SIGTERM', async () => {
  await profile.stop();
  await server.close();
  redis.disconnect();
  process.exit(0);
});
