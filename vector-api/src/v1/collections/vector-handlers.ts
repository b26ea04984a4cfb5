import { NotFoundError, parseInput } from '@vectorauth/shared';
import { prepareVector } from '../../search/prepare-vector.ts';
import type { VectorIndex } from '../../search/vector-index.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';
import { findCollection } from './find-collection.ts';

/** PUT /v1/collections/:name/vectors, GET/DELETE /v1/collections/:name/vectors/:id. */
export function createVectorHandlers(schemas: VectorSchemas, index: VectorIndex) {
  return {
    async upsertVectors(ctx: V1Context): Promise<void> {
      const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
      const body = parseInput(schemas.upsertVectors, ctx.request.body);
      const collection = await findCollection(ctx.state, name);
      const inputs = body.vectors.map((v, i) => ({
        id: v.id,
        vector: prepareVector(v.vector, collection.dimension, collection.metric, `vectors.${i}.vector`),
        metadata: v.metadata ?? null,
      }));
      const version = await ctx.state.records.upsert(collection, inputs);
      const vectors = new Float32Array(inputs.length * collection.dimension);
      for (const [i, v] of inputs.entries()) vectors.set(v.vector, i * collection.dimension);
      await index
        .applyWrite(collection, version, {
          deletes: [],
          ids: inputs.map((v) => v.id),
          vectors,
          metadata: inputs.map((v) => v.metadata),
        })
        .catch(() => undefined); // committed already; a stale cache reloads on the next search
      ctx.body = { upserted: inputs.length, version };
    },
    async getVector(ctx: V1Context): Promise<void> {
      const { name, id } = parseInput(schemas.vectorParams, ctx.params, 'path');
      const include = (parseInput(schemas.getQuery, ctx.query, 'query').include ?? 'metadata,vector').split(
        ',',
      );
      const collection = await findCollection(ctx.state, name);
      const stored = await ctx.state.records.get(collection, id);
      if (!stored) throw new NotFoundError(`no vector with id "${id}" in this collection`);
      ctx.body = {
        id: stored.id,
        ...(include.includes('vector') ? { vector: Array.from(stored.vector) } : {}),
        ...(include.includes('metadata') ? { metadata: stored.metadata } : {}),
      };
    },
    async deleteVector(ctx: V1Context): Promise<void> {
      const { name, id } = parseInput(schemas.vectorParams, ctx.params, 'path');
      const collection = await findCollection(ctx.state, name);
      const version = await ctx.state.records.remove(collection, id);
      await index
        .applyWrite(collection, version, {
          deletes: [id],
          ids: [],
          vectors: new Float32Array(0),
          metadata: [],
        })
        .catch(() => undefined);
      ctx.status = 204;
    },
  };
}
