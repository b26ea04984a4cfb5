import { parseInput } from '@vectorauth/shared';
import type { SearchHit } from '../../search/index-protocol.ts';
import { type FilterNode, parseMetadataFilter } from '../../search/metadata-filter.ts';
import { prepareVector } from '../../search/prepare-vector.ts';
import type { VectorIndex } from '../../search/vector-index.ts';
import type { Collection } from '../../store/collection.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';
import { withCollection } from './find-collection.ts';

type Include = readonly ('metadata' | 'vector')[];

const view = (hits: SearchHit[], include: Include) =>
  hits.map((h) => ({
    id: h.id,
    score: h.distance,
    ...(include.includes('metadata') ? { metadata: h.metadata } : {}),
    ...(include.includes('vector') && h.vector ? { vector: Array.from(h.vector) } : {}),
  }));

/**
 * POST /v1/collections/:name/search: `vector` (one query) or `queries` (several, answered in one
 * FAISS call, results in query order), optionally within a metadata `filter`. Score is FAISS's
 * distance as is: squared L2 for `l2`, the inner product for `ip`, and for `cosine` the inner
 * product of unit vectors, i.e. cosine similarity.
 */
export function createSearchHandler(schemas: VectorSchemas, index: VectorIndex) {
  const gone = (collection: Collection) => index.drop(collection);
  return async function searchCollection(ctx: V1Context): Promise<void> {
    const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
    const body = parseInput(schemas.search, ctx.request.body);
    const filter = body.filter === undefined ? undefined : parseMetadataFilter(body.filter);
    const vectors = body.queries ?? [body.vector as Float32Array];
    const include: Include = body.include ?? ['metadata'];
    const hits = await withCollection(
      ctx.state,
      name,
      (collection) => {
        const { dimension, metric } = collection;
        const queries = new Float32Array(vectors.length * dimension);
        for (const [i, v] of vectors.entries()) {
          const where = body.queries ? `queries.${i}` : 'vector';
          queries.set(prepareVector(v, dimension, metric, where), i * dimension);
        }
        return index.search(collection, queries, body.k, {
          ...(filter ? { filter } : {}),
          ...(include.includes('vector') ? { withVectors: true } : {}),
          ...(body.ef_search ? { ef: body.ef_search } : {}),
        });
      },
      gone,
    );
    ctx.body = {
      results: body.queries ? hits.map((h) => view(h, include)) : view(hits[0] ?? [], include),
    };
  };
}

/** POST /v1/collections/:name/count: how many vectors the collection holds, or match `filter`. */
export function createCountHandler(schemas: VectorSchemas, index: VectorIndex) {
  const gone = (collection: Collection) => index.drop(collection);
  return async function countCollection(ctx: V1Context): Promise<void> {
    const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
    const body = parseInput(schemas.count, ctx.request.body ?? {});
    const filter: FilterNode | undefined =
      body.filter === undefined ? undefined : parseMetadataFilter(body.filter);
    ctx.body = { count: await withCollection(ctx.state, name, (c) => index.count(c, filter), gone) };
  };
}
