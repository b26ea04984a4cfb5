import type { FaissIndex } from './faiss.ts';
import type { FilterSubset } from './filter-subset.ts';
import { type Answer, scanShortAnswers } from './scan-short-answers.ts';

/** From this share of the records on, a filtered search oversamples instead of scanning the subset. */
export const OVERSAMPLE_FROM = 0.05;

const member = (subset: FilterSubset, label: number) =>
  ((subset.bitmap[label >> 3] as number) & (1 << (label & 7))) !== 0;

/**
 * The k best records of `subset` for each query, exactly. FAISS searches a subset given as a
 * selector by scanning (its BLAS path takes no selector), which costs more than searching
 * everything once the subset is large. So a subset of at least `OVERSAMPLE_FROM` of the records is
 * searched through BLAS without the selector for k' = 1.5 k / share (+ 8) candidates, keeping those
 * in the subset: when at least k of them are, they are the subset's k best (every other member
 * ranks below all k' candidates). A query with fewer is searched again over the subset alone.
 */
export function searchSubset(
  index: FaissIndex,
  queries: Float32Array,
  dimension: number,
  k: number,
  subset: FilterSubset,
): Answer[] {
  const total = index.size();
  const share = subset.count / Math.max(total, 1);
  if (share < OVERSAMPLE_FROM || subset.count <= k) return index.search(queries, k, subset.bitmap);
  const wide = Math.min(total, Math.ceil((1.5 * k) / share) + 8);
  const answers: Answer[] = index.search(queries, wide).map(({ labels, distances }) => {
    const kept: Answer = { labels: [], distances: [] };
    for (let j = 0; j < labels.length && kept.labels.length < k; j++) {
      const label = labels[j] as number;
      if (!member(subset, label)) continue;
      kept.labels.push(label);
      kept.distances.push(distances[j] as number);
    }
    return kept;
  });
  return scanShortAnswers(index, queries, dimension, k, k, subset.bitmap, answers);
}
