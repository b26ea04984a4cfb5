import type { FaissIndex } from './faiss.ts';

export type Answer = { labels: number[]; distances: number[] };

/**
 * Answers again, by an exact scan of `only` (all labels when absent), each query whose answer has
 * fewer than `want` hits: what an oversampled or graph search does when its candidates ran dry.
 * Replaces those answers in place and returns `answers`.
 */
export function scanShortAnswers(
  index: FaissIndex,
  queries: Float32Array,
  dimension: number,
  k: number,
  want: number,
  only: Uint8Array | undefined,
  answers: Answer[],
): Answer[] {
  const short = answers.flatMap((a, q) => (a.labels.length < want ? [q] : []));
  if (short.length === 0) return answers;
  const again = new Float32Array(short.length * dimension);
  for (const [i, q] of short.entries())
    again.set(queries.subarray(q * dimension, (q + 1) * dimension), i * dimension);
  const exact = index.search(again, k, only, { exact: true });
  for (const [i, q] of short.entries()) answers[q] = exact[i] as Answer;
  return answers;
}
