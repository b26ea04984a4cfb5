import { parseInput } from '@vectorauth/shared';
import type { ParameterizedContext } from 'koa';
import { prepareVector } from '../search/prepare-vector.ts';
import type { VectorIndex } from '../search/vector-index.ts';
import { findCollection } from './find-collection.ts';
import type { VectorSchemas } from './vector-schemas.ts';
import type { VectorState } from './vector-state.ts';

type Ctx = ParameterizedContext<VectorState> & { params: Record<string, string> };

/**
 * POST /v1/collections/:name/search. Score is FAISS's distance as is: squared L2 for `l2`, the
 * inner product for `ip`, and for `cosine` the inner product of unit vectors, i.e. cosine similarity.
 */
export function createSearchHandler(schemas: VectorSchemas, index: VectorIndex) {
  return async function searchCollection(ctx: Ctx): Promise<void> {
    const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
    const { vector, k } = parseInput(schemas.search, ctx.request.body);
    const collection = await findCollection(ctx.state, name);
    const query = prepareVector(vector, collection.dimension, collection.metric, 'vector');
    const hits = await index.search(collection, query, k);
    ctx.body = { results: hits.map((h) => ({ id: h.id, score: h.distance, metadata: h.metadata })) };
  };
}
