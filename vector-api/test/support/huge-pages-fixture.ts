import { readFileSync } from 'node:fs';
import { createFlatIndex, createHnswIndex, HUGE_PAGES_FROM } from '../../src/search/faiss.ts';
import { faissBinding } from '../../src/search/faiss-binding.ts';

/**
 * Run as a child process (its own address space): a flat index just over `HUGE_PAGES_FROM` and a
 * small HNSW one; searches both, advises them onto huge pages, searches again. Prints as JSON what
 * each advice took, whether the answers stayed the same, and the process's AnonHugePages before
 * and after (kB, /proc/self/smaps_rollup).
 */
faissBinding().setThreads(1);
const d = 384;
const rows = Math.ceil(HUGE_PAGES_FROM / (d * 4)) + 2048;
const vectors = new Float32Array(rows * d).map((_, i) => Math.sin(i * 0.37));
const queries = vectors.subarray(0, 5 * d).map((x, i) => x + Math.cos(i) * 0.01);
const anonHuge = () =>
  Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? -1);

const flat = createFlatIndex('l2', d, vectors);
const small = createHnswIndex('l2', d, { m: 16, efConstruction: 40 }, vectors.subarray(0, 2000 * d));
const answers = () =>
  JSON.stringify([flat.search(queries, 10), small.search(queries, 10, undefined, { ef: 64 })]);
const before = answers();
const hugeBefore = anonHuge();
const advised = { flat: flat.adviseHugePages(), small: small.adviseHugePages() };
const hugeAfter = anonHuge();
process.stdout.write(
  JSON.stringify({ bytes: flat.bytes(), advised, same: answers() === before, hugeBefore, hugeAfter }),
);
