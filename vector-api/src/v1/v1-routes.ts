import type { VectorScope } from '@vectorauth/shared';
import type { z } from 'zod';
import type { VectorIndex } from '../search/vector-index.ts';
import type { createAuditQuery } from '../store/audit-query.ts';
import type { PrincipalShredder } from '../store/shred-principal.ts';
import { createAdminHandlers } from './admin/admin-handlers.ts';
import { createCollectionHandlers } from './collections/collection-handlers.ts';
import { createListHandler } from './collections/list-handler.ts';
import { createCountHandler, createSearchHandler } from './collections/search-handler.ts';
import { usageHandler } from './collections/usage-handler.ts';
import { createVectorHandlers } from './collections/vector-handlers.ts';
import type { VectorSchemas } from './vector-schemas.ts';
import type { V1Context } from './vector-state.ts';

/** One endpoint of Vector API v1: the router and the OpenAPI document are both built from these. */
export interface V1Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  scope: VectorScope;
  params?: z.ZodType;
  /** Query-string parameters (documented; the handler parses them). */
  query?: z.ZodType;
  body?: z.ZodType;
  status: number;
  response?: z.ZodType;
  /**
   * Read-only, and its answer waits for the token's checks: the handler may start while they are in
   * flight for a token that passed them lately (`overlap` in bearer-auth).
   */
  overlapChecks?: true;
  handler: (ctx: V1Context) => Promise<void>;
}

export function createV1Routes(
  schemas: VectorSchemas,
  index: VectorIndex,
  shredder: PrincipalShredder,
  listAudit: ReturnType<typeof createAuditQuery>,
): V1Route[] {
  const c = createCollectionHandlers(schemas, index);
  const v = createVectorHandlers(schemas, index);
  const a = createAdminHandlers(schemas, shredder, listAudit);
  const collection = '/v1/collections/:name';
  return [
    {
      method: 'post',
      path: '/v1/collections',
      operationId: 'createCollection',
      summary: 'Create a collection (409 if you already have one of that name)',
      scope: 'vectors:write',
      body: schemas.createCollection,
      status: 201,
      response: schemas.collection,
      handler: c.createCollection,
    },
    {
      method: 'get',
      path: '/v1/collections',
      operationId: 'listCollections',
      summary: 'List your collections',
      scope: 'vectors:read',
      status: 200,
      response: schemas.collectionList,
      handler: c.listCollections,
    },
    {
      method: 'get',
      path: '/v1/usage',
      operationId: 'getUsage',
      summary: 'What you store (collections, vectors, bytes) against your quotas',
      scope: 'vectors:read',
      status: 200,
      response: schemas.usage,
      handler: usageHandler,
    },
    {
      method: 'get',
      path: collection,
      operationId: 'getCollection',
      summary: 'Describe one collection',
      scope: 'vectors:read',
      params: schemas.collectionParams,
      status: 200,
      response: schemas.collection,
      handler: c.getCollection,
    },
    {
      method: 'delete',
      path: collection,
      operationId: 'deleteCollection',
      summary: 'Delete a collection and every vector in it',
      scope: 'vectors:delete',
      params: schemas.collectionParams,
      status: 204,
      handler: c.deleteCollection,
    },
    {
      method: 'put',
      path: `${collection}/vectors`,
      operationId: 'upsertVectors',
      summary: 'Insert or replace a batch of vectors (all or nothing)',
      scope: 'vectors:write',
      params: schemas.collectionParams,
      body: schemas.upsertVectors,
      status: 200,
      response: schemas.upsertResult,
      handler: v.upsertVectors,
    },
    {
      method: 'post',
      path: `${collection}/search`,
      operationId: 'searchCollection',
      summary:
        'Find the k nearest vectors, best first, for one query or several at once, optionally among those whose metadata match a filter',
      scope: 'vectors:read',
      params: schemas.collectionParams,
      body: schemas.search,
      status: 200,
      response: schemas.searchResults,
      overlapChecks: true,
      handler: createSearchHandler(schemas, index),
    },
    {
      method: 'post',
      path: `${collection}/count`,
      operationId: 'countVectors',
      summary: 'Count the vectors of a collection, or those whose metadata match a filter',
      scope: 'vectors:read',
      params: schemas.collectionParams,
      body: schemas.count,
      status: 200,
      response: schemas.countResult,
      overlapChecks: true,
      handler: createCountHandler(schemas, index),
    },
    {
      method: 'get',
      path: `${collection}/vectors`,
      operationId: 'listVectors',
      summary: 'Page through the vectors of a collection in id order, optionally those matching a filter',
      scope: 'vectors:read',
      params: schemas.collectionParams,
      query: schemas.listQuery,
      status: 200,
      response: schemas.vectorList,
      handler: createListHandler(schemas),
    },
    {
      method: 'get',
      path: `${collection}/vectors/:id`,
      operationId: 'getVector',
      summary: 'Read one vector and its metadata',
      scope: 'vectors:read',
      params: schemas.vectorParams,
      query: schemas.getQuery,
      status: 200,
      response: schemas.storedVector,
      handler: v.getVector,
    },
    {
      method: 'delete',
      path: `${collection}/vectors/:id`,
      operationId: 'deleteVector',
      summary: 'Delete one vector',
      scope: 'vectors:delete',
      params: schemas.vectorParams,
      status: 204,
      handler: v.deleteVector,
    },
    {
      method: 'delete',
      path: '/v1/admin/principals/:sub',
      operationId: 'shredPrincipal',
      summary:
        'Crypto-shred a principal: destroy its data key, then its collections, vectors and snapshots (idempotent, audited)',
      scope: 'admin',
      params: schemas.principalParams,
      status: 204,
      handler: a.shredPrincipal,
    },
    {
      method: 'get',
      path: '/v1/admin/audit',
      operationId: 'listAudit',
      summary:
        'Audit events of the vector API (principal.shredded, permission.denied, stored_data.tampered), newest first; filters action, subject, actor, since, until; paging limit and before',
      scope: 'admin',
      status: 200,
      handler: a.listAudit,
    },
  ];
}
