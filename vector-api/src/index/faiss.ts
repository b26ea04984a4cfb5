import faiss from 'faiss-node';

/** The only module that touches faiss-node. Labels are insertion positions (no add_with_ids). */
export interface FlatIndex {
  readonly dimension: number;
  size(): number;
  add(vectors: Float32Array): void;
  /** Removes these positions; later positions shift down, order is kept. */
  remove(labels: readonly number[]): void;
  /** nq queries; per query up to k (label, distance) pairs, best first, missing slots dropped. */
  search(queries: Float32Array, k: number): { labels: number[]; distances: number[] }[];
}

/** `l2`: squared Euclidean distance; `ip`: inner product (cosine = ip over unit vectors). */
export type IndexMetric = 'l2' | 'ip';

export function createFlatIndex(metric: IndexMetric, dimension: number): FlatIndex {
  const index = metric === 'l2' ? new faiss.IndexFlatL2(dimension) : new faiss.IndexFlatIP(dimension);
  return {
    dimension,
    size: () => index.ntotal(),
    add(vectors) {
      if (vectors.length > 0) index.add(Array.from(vectors));
    },
    remove(labels) {
      if (labels.length > 0) index.removeIds([...labels]);
    },
    search(queries, k) {
      const nq = queries.length / dimension;
      const kk = Math.min(k, index.ntotal());
      if (kk <= 0) return Array.from({ length: nq }, () => ({ labels: [], distances: [] }));
      const raw = index.search(Array.from(queries), kk);
      return Array.from({ length: nq }, (_, q) => {
        const labels: number[] = [];
        const distances: number[] = [];
        for (let j = q * kk; j < (q + 1) * kk; j++) {
          const label = raw.labels[j] ?? -1;
          if (label < 0) continue;
          labels.push(label);
          distances.push(raw.distances[j] ?? Number.NaN);
        }
        return { labels, distances };
      });
    },
  };
}
