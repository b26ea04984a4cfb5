/**
 * Sizes FAISS's thread pools. libgomp (OpenMP: FAISS's loops over queries and results) and
 * OpenBLAS (the matrix product from 20 queries) each read their settings once, from the
 * process environment, when the FAISS binding is first loaded in the process. A worker thread's
 * `process.env` is its own copy, so this runs on the main thread before the index worker is
 * spawned (and before anything else in the process loads FAISS). The worker also sets the thread
 * counts through the binding (`setThreads`); the wait policy has no call, only the variable.
 *
 * Measured on 2 cores (scripts/bench/faiss-threads.ts): with both pools at every core, a padded
 * batch of 20 took 10-400 ms per call instead of ~5 ms single-threaded; OpenBLAS's threads
 * busy-wait between calls, and so do OpenMP's unless OMP_WAIT_POLICY=PASSIVE. So OpenBLAS gets one
 * thread (a product of 20 rows gains nothing from more), OpenMP `threads`, sleeping when idle.
 */
export function useFaissThreads(threads: number): void {
  process.env.OMP_NUM_THREADS = String(threads);
  process.env.OMP_WAIT_POLICY = 'PASSIVE';
  process.env.OPENBLAS_NUM_THREADS = '1';
}
