import { parseArgs } from 'node:util';
import { useFaissThreads } from '../../src/search/use-faiss-threads.ts';
import { randomVector, seededRandom } from './brute-force.ts';

/**
 * Run as a child process (faiss-node must stay out of the test runner's thread):
 * `node padded-search-fixture.ts --metric l2|ip --count N --dimension D --sizes 1,2,7,19 --k K`
 * searches a flat index (faiss.ts, threads set as the index worker sets them) with 20 distinct
 * queries in one call (never padded), with the first n of them for each size (padded to FAISS's
 * BLAS threshold on `ip`), and with each alone; prints the three as JSON. The first query is the
 * first stored vector.
 */
const { values } = parseArgs({
  options: {
    metric: { type: 'string', default: 'l2' },
    count: { type: 'string', default: '2000' },
    dimension: { type: 'string', default: '32' },
    sizes: { type: 'string', default: '1,2,7,19' },
    k: { type: 'string', default: '10' },
  },
});
useFaissThreads(1);
const { createFlatIndex } = await import('../../src/search/faiss.ts');
const d = Number(values.dimension);
const k = Number(values.k);
const random = seededRandom(11);
const vectors = Array.from({ length: Number(values.count) }, () => randomVector(random, d));
const index = createFlatIndex(values.metric === 'ip' ? 'ip' : 'l2', d, Float32Array.from(vectors.flat()));
const queries = Float32Array.from(
  [vectors[0] as number[], ...Array.from({ length: 19 }, () => randomVector(random, d))].flat(),
);
const unpadded = index.search(queries, k);
const padded = (values.sizes as string)
  .split(',')
  .map((size) => index.search(queries.subarray(0, Number(size) * d), k));
const alone = Array.from({ length: 20 }, (_, q) => index.search(queries.subarray(q * d, (q + 1) * d), k)[0]);
console.log(JSON.stringify({ unpadded, padded, alone }));
