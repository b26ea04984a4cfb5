import { parseInput } from '@vectorauth/shared';
import { prepareVector } from '../../search/prepare-vector.ts';
import type { VectorIndex } from '../../search/vector-index.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';
import { findCollection } from './find-collection.ts';

/**
 * POST /v1/collections/:name/search. Score is FAISS's distance as is: squared L2 for `l2`, the
 * inner product for `ip`, and for `cosine` the inner product of unit vectors, i.e. cosine similarity.
 */
export function createSearchHandler(schemas: VectorSchemas, index: VectorIndex) {
  return async function searchCollection(ctx: V1Context): Promise<void> {
    const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
    const { vector, k } = parseInput(schemas.search, ctx.request.body);
    const collection = await findCollection(ctx.state, name);
    const query = prepareVector(vector, collection.dimension, collection.metric, 'vector');
    const hits = await index.search(collection, query, k);
    ctx.body = { results: hits.map((h) => ({ id: h.id, score: h.distance, metadata: h.metadata })) };
  };
}
