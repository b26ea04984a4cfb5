import type { Collection } from '../../store/collection.ts';

/** The wire shape of a collection. */
export function collectionView(collection: Collection, count: number) {
  return {
    name: collection.name,
    dimension: collection.dimension,
    metric: collection.metric,
    count,
    version: collection.version,
    created_at: collection.createdAt.toISOString(),
  };
}
