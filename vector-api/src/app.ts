import cors from '@koa/cors';
import { Router } from '@koa/router';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type AccessTokenVerifier,
  type ChallengeSettings,
  createAccessLog,
  createDpopNonces,
  createDpopProofVerifier,
  createErrorHandler,
  createMetrics,
  createProtectedResourceMetadata,
  createRateLimiter,
  createReadyz,
  createRequestChecks,
  createRequestId,
  createRevocationStore,
  createSafeInput,
  createSecurityHeaders,
  healthz,
  InsufficientScopeError,
  InvalidTokenError,
  type Logger,
  type Metrics,
  mountApiReference,
  postgresReadiness,
  publicRequestUrl,
  RateLimitedError,
  type Redis,
  refusePlainHttp,
  VECTOR_SCOPE_NAMES,
  withChallenges,
} from '@vectorauth/shared';
import Koa from 'koa';
import { createPermissionAudit } from './abuse/permission-audit.ts';
import { createVectorRateLimit } from './abuse/vector-rate-limit.ts';
import type { VectorApiConfig } from './config.ts';
import { createOpenApiDocument } from './docs/openapi-document.ts';
import { createMcpEndpoint } from './mcp/mcp-endpoint.ts';
import { createMcpTools } from './mcp/mcp-tools.ts';
import { registerIndexMetrics } from './search/index-metrics.ts';
import type { VectorIndex } from './search/vector-index.ts';
import { createAuditQuery } from './store/audit-query.ts';
import { createCollectionVersions } from './store/collection-versions.ts';
import type { Encryption } from './store/encryption.ts';
import type { PrincipalShredder } from './store/shred-principal.ts';
import type { TamperReport } from './store/tamper-report.ts';
import { anyVectorScope, createV1Router } from './v1/v1-router.ts';
import { createV1Routes } from './v1/v1-routes.ts';
import { createVectorSchemas } from './v1/vector-schemas.ts';

export interface VectorAppDeps {
  config: VectorApiConfig;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  verifier: AccessTokenVerifier;
  index: VectorIndex;
  encryption: Encryption;
  shredder: PrincipalShredder;
  /** This app's metrics, when the caller registers counters of its own on them. */
  metrics?: Metrics;
  /** Reports stored data that fails authentication (log, metric, audit). */
  tamper?: TamperReport;
}

/** The vector API's Koa app: error handler first, then request id, access log, metrics, routes. */
export function createVectorApp(deps: VectorAppDeps): Koa {
  const app = new Koa();
  app.proxy = deps.config.trustProxy;
  // The address the proxy appended, never one the client wrote in front of it (X-Forwarded-For).
  app.maxIpsCount = 1;
  const metrics = deps.metrics ?? createMetrics('vector-api');
  registerIndexMetrics(metrics.registry, deps.index);
  const schemas = createVectorSchemas(deps.config.limits);
  const routes = createV1Routes(schemas, deps.index, deps.shredder, createAuditQuery(deps.orm));
  const openapi = createOpenApiDocument({
    serverUrl: deps.config.apiUrl,
    issuer: deps.config.issuer,
    routes,
    schemas,
  });

  const dpop = createDpopProofVerifier(
    deps.config.dpopNonce
      ? // Every instance has the master keys: each hands out and accepts the same nonces.
        { nonces: createDpopNonces(Buffer.from(deps.config.masterKeys[0] as string, 'base64')) }
      : {},
  );
  const resourceMetadata = createProtectedResourceMetadata({
    resource: deps.config.apiUrl,
    authorizationServers: [deps.config.issuer],
    // What an ordinary client asks for: `admin` is the operator's, never requested by agents from here.
    scopes: VECTOR_SCOPE_NAMES.filter((s) => s !== 'admin'),
    dpopAlgorithms: dpop.algorithms,
    name: 'Vector API',
    documentation: `${deps.config.apiUrl.replace(/\/$/, '')}/docs`,
  });

  const open = new Router();
  for (const path of resourceMetadata.paths) open.get(path, resourceMetadata.handler);
  open.get('/healthz', healthz);
  open.get(
    '/readyz',
    createReadyz([
      postgresReadiness(deps.orm, ['collection', 'vector_record']),
      { name: 'redis', check: () => deps.redis.ping() },
    ]),
  );
  open.get('/metrics', metrics.handler);
  mountApiReference(open, {
    path: '/docs',
    openApiPath: '/openapi.json',
    title: 'Vector API reference',
    document: () => openapi,
  });

  const routeChecks = createVectorRateLimit({
    checks: createRequestChecks(deps.redis, {
      revocations: createRevocationStore(deps.redis),
      limiter: createRateLimiter(deps.redis, { windowMs: deps.config.rateLimits.windowMs }),
    }),
    limits: deps.config.rateLimits,
    onLimited: (ctx) =>
      deps.logger.warn({ requestId: ctx.state.requestId, sub: ctx.state.token?.sub }, 'rate limit hit'),
  });
  const challenge: ChallengeSettings = {
    realm: 'vector-api',
    resourceMetadata: resourceMetadata.url,
    dpopAlgorithms: dpop.algorithms,
  };
  const mcp = createMcpEndpoint({
    tools: createMcpTools(routes),
    logger: deps.logger,
    refuseScope: (ctx, scope) =>
      withChallenges(
        new InsufficientScopeError(scope, challenge.realm),
        challenge,
        /^dpop /i.test(ctx.get('authorization')) ? 'DPoP' : 'Bearer',
      ),
    requestUrl: (ctx) => publicRequestUrl(deps.config.apiUrl, ctx.path),
    countedScope: (ctx) => anyVectorScope(ctx.state.token),
    countUnder: async (ctx, scope) => {
      const checks = routeChecks(scope);
      const token = ctx.state.token;
      const result = await checks.checks.run(ctx, token, { limit: checks.limit?.(token) });
      if (result.revoked) throw new InvalidTokenError('the access token has been revoked', challenge.realm);
      if (result.limit && !result.limit.allowed) {
        checks.onLimited?.(ctx);
        throw new RateLimitedError(result.limit.retryAfter);
      }
    },
  });

  const earlyWork = metrics.counter(
    'vector_early_work_total',
    "Searches and counts started before their token's Redis checks answered, by outcome: kept, redone (the cached collection row was stale), refused (the checks refused; the work was thrown away)",
    ['outcome'],
  );
  for (const outcome of ['kept', 'redone', 'refused']) earlyWork.inc({ outcome }, 0);
  const v1 = createV1Router({
    onEarlyWork: (outcome) => earlyWork.inc({ outcome }),
    orm: deps.orm,
    encryption: deps.encryption,
    verifier: deps.verifier,
    versions: createCollectionVersions(deps.redis, { replicas: deps.config.redisWaitReplicas }),
    routes,
    mcp,
    resourceMetadata: resourceMetadata.url,
    dpop: { verifier: dpop, requestUrl: (ctx) => publicRequestUrl(deps.config.apiUrl, ctx.path) },
    maxBodyBytes: deps.config.limits.maxBodyBytes,
    quotas: deps.config.quotas,
    routeChecks,
  });

  app.use(createErrorHandler(deps.logger));
  app.use(createSecurityHeaders());
  if (deps.config.nodeEnv === 'production' && deps.config.trustProxy) app.use(refusePlainHttp);
  app.use(
    cors({
      // Only listed origins; bearer tokens, never cookies: no credentials, never `*`.
      origin: (ctx) => (deps.config.corsOrigins.includes(ctx.get('origin')) ? ctx.get('origin') : ''),
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'DPoP'],
      exposeHeaders: [
        'WWW-Authenticate',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'X-Request-Id',
        'DPoP-Nonce',
      ],
      maxAge: 600,
    }),
  );
  app.use(createRequestId());
  app.use(createAccessLog(deps.logger));
  app.use(metrics.middleware);
  app.use(createSafeInput());
  app.use(open.routes());
  app.use(open.allowedMethods());
  app.use(createPermissionAudit({ orm: deps.orm, logger: deps.logger }));
  if (deps.tamper) app.use(deps.tamper.middleware);
  app.use(v1.routes());
  app.use(v1.allowedMethods());
  return app;
}
