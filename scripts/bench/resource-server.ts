/**
 * A resource server built from the shared library, in its own process, for measuring what each
 * layer costs: MODE=plain (verify only), revocation (+ the Redis revocation check), ratelimit
 * (+ revocation + a per-principal rate limit). Prints its URL on stdout.
 */
import {
  createAccessTokenVerifier,
  createBearerAuth,
  createErrorHandler,
  createLogger,
  createRateLimiter,
  createRedis,
  createRevocationStore,
  listen,
  RateLimitedError,
} from '@vectorauth/shared';
import Koa from 'koa';

const { ISSUER, AUDIENCE, REDIS_URL, MODE = 'plain' } = process.env;
if (!ISSUER || !AUDIENCE || !REDIS_URL) throw new Error('ISSUER, AUDIENCE and REDIS_URL are required');
const logger = createLogger({ name: 'bench-resource-server', level: 'warn' });
const redis = createRedis(REDIS_URL, 'bench-resource-server', logger);
const verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/jwks` });
const app = new Koa();
app.use(createErrorHandler(logger));
app.use(createBearerAuth(verifier, MODE === 'plain' ? {} : { revocations: createRevocationStore(redis) }));
if (MODE === 'ratelimit') {
  const limiter = createRateLimiter(redis, { windowMs: 60_000 });
  app.use(async (ctx, next) => {
    const decision = await limiter.check(ctx, `bench:${ctx.state.token.sub}`, 10_000_000);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfter);
    await next();
  });
}
app.use((ctx) => {
  ctx.body = { sub: ctx.state.token.sub };
});
const server = await listen(app, '127.0.0.1', 0);
console.log(server.url);
process.on('SIGTERM', async () => {
  await server.close();
  redis.disconnect();
  process.exit(0);
});
