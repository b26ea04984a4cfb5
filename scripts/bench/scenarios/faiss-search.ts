import faiss from 'faiss-node';
import { vectorId } from '../dataset.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';

export interface FaissBaseline {
  /** Top-k ids for one query, best first (for checking the API's answers). */
  topIds(query: number[], k: number): string[];
  bench(queries: number[][], k: number, load: LoadOptions): Promise<LoadResult>;
}

/**
 * The baseline: faiss-node in this process, an inner-product flat index over the same vectors.
 * Its search is synchronous, so calls run one after another whatever the concurrency.
 */
export function createFaissBaseline(vectors: number[][], dimension: number): FaissBaseline {
  const index = new faiss.IndexFlatIP(dimension);
  index.add(vectors.flat());
  const topIds = (query: number[], k: number) => index.search(query, k).labels.map((l) => vectorId(l));
  return {
    topIds,
    bench: (queries, k, load) =>
      runLoad({ ...load, concurrency: 1 }, (i) => index.search(queries[i % queries.length]!, k)),
  };
}
