import { faissBinding } from '../../src/search/faiss-binding.ts';

/**
 * Run as a child process with --expose-gc: `node --expose-gc native-memory-fixture.ts`. Builds a
 * 10k x 384 flat index (15 MB), warms up, then searches batches of 20 queries 500 times, serializes
 * the index 40 times and creates and disposes of 20 more indexes; prints the process's RSS before
 * and after as JSON. faiss-node leaked each search's query copy (30 KB) and each serialization
 * (15 MB): 600 MB and more here.
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const { FaissIndex, setThreads } = faissBinding();
setThreads(1);
const d = 384;
const vectors = new Float32Array(10_000 * d).map((_, i) => Math.sin(i));
const queries = vectors.subarray(0, 20 * d);
const index = FaissIndex.create(d, 'ip');
index.add(vectors);
const settle = async () => {
  gc();
  await new Promise((resolve) => setImmediate(resolve)); // native finalizers run after the GC
  gc();
};
function work(searches: number, serializations: number, indexes: number): void {
  for (let i = 0; i < searches; i++) index.search(queries, 10);
  for (let i = 0; i < serializations; i++) index.serialize();
  for (let i = 0; i < indexes; i++) {
    const other = FaissIndex.create(d, 'l2');
    other.add(vectors.subarray(0, 1000 * d));
    other.dispose();
  }
}
work(50, 3, 3);
await settle();
const before = process.memoryUsage().rss;
work(500, 40, 20);
await settle();
console.log(JSON.stringify({ before, after: process.memoryUsage().rss }));
