import { Router } from '@koa/router';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type BearerAuthOptions,
  type CheckedReads,
  createBearerAuth,
  createJsonBody,
  createTrustedTokens,
  type RouteChecks,
} from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import { quotaFor, type VectorQuotas } from '../abuse/quotas.ts';
import { CollectionCache } from '../store/collection-cache.ts';
import { createCollectionRepository } from '../store/collection-repository.ts';
import { type CollectionVersions, collectionVersionKey } from '../store/collection-versions.ts';
import type { Encryption } from '../store/encryption.ts';
import { createRecordRepository } from '../store/record-repository.ts';
import type { V1Route } from './v1-routes.ts';
import type { V1Context, VectorState } from './vector-state.ts';

export interface V1RouterDeps {
  orm: MikroORM;
  encryption: Encryption;
  verifier: AccessTokenVerifier;
  /** The collection versions every instance publishes (what lets a cached collection row be used). */
  versions: CollectionVersions;
  routes: readonly V1Route[];
  /** RFC 9728: named in every challenge. */
  resourceMetadata: string;
  /** DPoP-bound tokens, with their proofs. */
  dpop: BearerAuthOptions['dpop'];
  maxBodyBytes: number;
  /** What each principal may store, by the client it calls through. */
  quotas: VectorQuotas;
  /** A route's token checks by its scope: revocation, scope, the principal's rate limit. */
  routeChecks: (scope: string | ((token: AccessTokenClaims) => string)) => RouteChecks;
  /**
   * Told, after each request whose handler started before its token's checks answered, how that
   * went: `kept`, `redone` (the cached collection row was stale) or `refused` (the checks refused).
   */
  onEarlyWork?: (outcome: 'kept' | 'redone' | 'refused') => void;
  /** `POST /mcp`, behind the same token checks, body parsing and repositories (mcp/mcp-endpoint.ts). */
  mcp?: (ctx: V1Context) => Promise<void>;
}

/** The scope an MCP request is counted under: the first vector scope its token carries. */
export const anyVectorScope = (token: AccessTokenClaims): string =>
  ['vectors:read', 'vectors:write', 'vectors:delete'].find((s) => token.scopes.has(s)) ?? 'vectors:read';

/**
 * Every v1 request reads top to bottom: verify the bearer token (the only source of the
 * principal), then in one Redis round trip check it is not revoked (401), has the route's scope
 * (403) and is within the principal's rate limit (429; 503 when Redis cannot answer), parse a
 * bounded JSON body, open this request's EntityManager fork, run the handler.
 */
export function createV1Router(deps: V1RouterDeps): Router<VectorState> {
  const router = new Router<VectorState>();
  const jsonBody = createJsonBody(deps.maxBodyBytes);

  const caching = { cache: new CollectionCache(), versions: deps.versions };
  /** Tokens whose checks passed lately, shared by every route (see `overlapChecks`). */
  const trusted = createTrustedTokens();

  /** A route on one collection: its cached row's published version joins the token checks' round trip. */
  const collectionVersionReads = (ctx: Context, token: AccessTokenClaims): readonly string[] => {
    const name = (ctx as Context & { params?: Record<string, string> }).params?.name;
    const cached = name === undefined ? undefined : caching.cache.get(token.sub, name);
    return cached ? [collectionVersionKey(cached.id)] : [];
  };

  async function repositories(ctx: Context, next: Next): Promise<void> {
    const em = deps.orm.em.fork();
    const checkedReads = ctx.state.checkedReads as CheckedReads | Promise<CheckedReads> | undefined;
    const quota = quotaFor(deps.quotas, (ctx.state.token as AccessTokenClaims).clientId);
    ctx.state.quota = quota;
    ctx.state.collections = createCollectionRepository(em, { ...caching, checkedReads }, quota);
    ctx.state.records = createRecordRepository(em, deps.encryption, caching, quota);
    ctx.state.em = em;
    await next();
  }

  async function countEarlyWork(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      const state = ctx.state as Partial<VectorState>;
      // Still pending after the chain: the checks refused (bearer-auth clears it when they pass).
      if (state.earlyWork) deps.onEarlyWork?.(state.checksPending ? 'refused' : state.earlyWork);
    }
  }

  for (const route of deps.routes) {
    router[route.method](
      route.path,
      countEarlyWork,
      createBearerAuth(deps.verifier, {
        route: { ...deps.routeChecks(route.scope), reads: collectionVersionReads },
        trusted,
        overlap: route.overlapChecks === true,
        resourceMetadata: deps.resourceMetadata,
        ...(deps.dpop ? { dpop: deps.dpop } : {}),
      }),
      jsonBody,
      repositories,
      (ctx) => route.handler(ctx as unknown as V1Context),
    );
  }
  if (deps.mcp) {
    const mcp = deps.mcp;
    router.post(
      '/mcp',
      createBearerAuth(deps.verifier, {
        route: deps.routeChecks(anyVectorScope),
        trusted,
        resourceMetadata: deps.resourceMetadata,
        ...(deps.dpop ? { dpop: deps.dpop } : {}),
      }),
      jsonBody,
      repositories,
      (ctx) => mcp(ctx as unknown as V1Context),
    );
  }
  return router;
}
