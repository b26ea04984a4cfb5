import { Router } from '@koa/router';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type AccessTokenVerifier,
  createBearerAuth,
  createJsonBody,
  type RevocationStore,
  requireScope,
} from '@vectorauth/shared';
import type { Context, Middleware, Next } from 'koa';
import { CollectionCache } from '../store/collection-cache.ts';
import { createCollectionRepository } from '../store/collection-repository.ts';
import type { CollectionVersions } from '../store/collection-versions.ts';
import type { Encryption } from '../store/encryption.ts';
import { createRecordRepository } from '../store/record-repository.ts';
import type { V1Route } from './v1-routes.ts';
import type { V1Context, VectorState } from './vector-state.ts';

export interface V1RouterDeps {
  orm: MikroORM;
  encryption: Encryption;
  verifier: AccessTokenVerifier;
  revocations: RevocationStore;
  /** The collection versions every instance publishes (what lets a cached collection row be used). */
  versions: CollectionVersions;
  routes: readonly V1Route[];
  maxBodyBytes: number;
  /** The per-principal rate limit of a route's scope. */
  rateLimit: (scope: string) => Middleware;
}

/**
 * Every v1 request reads top to bottom: verify the bearer token (the only source of the
 * principal) and check it is not revoked (one Redis round trip, 503 when Redis cannot answer),
 * check the route's scope and the principal's rate limit, parse a bounded JSON body, open this request's
 * EntityManager fork, run the handler.
 */
export function createV1Router(deps: V1RouterDeps): Router<VectorState> {
  const router = new Router<VectorState>();
  const bearerAuth = createBearerAuth(deps.verifier, { revocations: deps.revocations });
  const jsonBody = createJsonBody(deps.maxBodyBytes);

  const caching = { cache: new CollectionCache(), versions: deps.versions };

  async function repositories(ctx: Context, next: Next): Promise<void> {
    const em = deps.orm.em.fork();
    ctx.state.collections = createCollectionRepository(em, caching);
    ctx.state.records = createRecordRepository(em, deps.encryption, caching);
    await next();
  }

  for (const route of deps.routes) {
    router[route.method](
      route.path,
      bearerAuth,
      requireScope(route.scope),
      deps.rateLimit(route.scope),
      jsonBody,
      repositories,
      (ctx) => route.handler(ctx as unknown as V1Context),
    );
  }
  return router;
}
