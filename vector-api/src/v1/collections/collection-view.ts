import type { Collection } from '../../store/collection.ts';

/** The wire shape of a collection. */
export function collectionView(collection: Collection, count: number) {
  return {
    name: collection.name,
    dimension: collection.dimension,
    metric: collection.metric,
    index: {
      type: collection.index.type,
      m: collection.index.m,
      ef_construction: collection.index.efConstruction,
      ef_search: collection.index.efSearch,
    },
    count,
    version: collection.version,
    created_at: collection.createdAt.toISOString(),
  };
}
