/**
 * FAISS 1.7.3 computes a flat index's distances with BLAS (one matrix product over the whole
 * index) only from `distance_compute_blas_threshold` = 20 queries per call; below that each query
 * scans the index on its own. Single-threaded on 10k x 384, 7 queries cost ~21 ms of CPU as they
 * are and ~4.7 ms padded to 20; one query ~3.1 ms as it is, ~4.7 ms padded
 * (scripts/bench/faiss-threads.ts). faiss-node does not expose the threshold.
 */
export const BLAS_THRESHOLD = 20;

/**
 * Used for inner-product indexes (`ip`, and `cosine` over unit vectors) only: see faiss.ts.
 *
 * `queries` (row-major, `dimension` floats each) padded with copies of its last query up to
 * `BLAS_THRESHOLD` when there are fewer; otherwise `queries` itself. The caller keeps the first
 * `queries.length / dimension` answers and drops the rest.
 *
 * A single query is padded too, although it alone would be answered ~1.5 ms sooner by a scan:
 * the two paths round differently (the last bits of a score), and the BLAS path gives a query the
 * same scores wherever it sits in a batch, so a search's scores never depend on which other
 * searches happened to share its batch.
 */
export function paddedQueries(queries: Float32Array, dimension: number): Float32Array {
  const nq = queries.length / dimension;
  if (nq < 1 || nq >= BLAS_THRESHOLD) return queries;
  const padded = new Float32Array(BLAS_THRESHOLD * dimension);
  padded.set(queries);
  const last = queries.subarray((nq - 1) * dimension);
  for (let i = nq; i < BLAS_THRESHOLD; i++) padded.set(last, i * dimension);
  return padded;
}
