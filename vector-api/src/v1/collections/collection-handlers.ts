import { NotFoundError, parseInput } from '@vectorauth/shared';
import type { VectorIndex } from '../../search/vector-index.ts';
import { DEFAULT_INDEX_SETTINGS } from '../../store/index-settings.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';
import { collectionView } from './collection-view.ts';
import { findCollection } from './find-collection.ts';

/** POST/GET /v1/collections, GET/DELETE /v1/collections/:name. */
export function createCollectionHandlers(schemas: VectorSchemas, index: VectorIndex) {
  return {
    async createCollection(ctx: V1Context): Promise<void> {
      const { index, ...input } = parseInput(schemas.createCollection, ctx.request.body);
      const collection = await ctx.state.collections.create(ctx.state.token.sub, {
        ...input,
        index: {
          type: index?.type ?? DEFAULT_INDEX_SETTINGS.type,
          m: index?.m ?? DEFAULT_INDEX_SETTINGS.m,
          efConstruction: index?.ef_construction ?? DEFAULT_INDEX_SETTINGS.efConstruction,
          efSearch: index?.ef_search ?? DEFAULT_INDEX_SETTINGS.efSearch,
        },
      });
      ctx.status = 201;
      ctx.set('Location', `/v1/collections/${encodeURIComponent(collection.name)}`);
      ctx.body = collectionView(collection, 0);
    },
    async listCollections(ctx: V1Context): Promise<void> {
      const collections = await ctx.state.collections.list(ctx.state.token.sub);
      ctx.body = { collections: collections.map((c) => collectionView(c, c.count)) };
    },
    async getCollection(ctx: V1Context): Promise<void> {
      const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
      const collection = await findCollection(ctx.state, name);
      ctx.body = collectionView(collection, await ctx.state.collections.count(collection.id));
    },
    async deleteCollection(ctx: V1Context): Promise<void> {
      const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
      const removed = await ctx.state.collections.remove(ctx.state.token.sub, name);
      if (!removed) throw new NotFoundError(`no collection named "${name}"`);
      await index.drop(removed).catch(() => undefined); // the cache entry is unreachable anyway
      ctx.status = 204;
    },
  };
}
