import { parseArgs } from 'node:util';
import { faissBinding } from '../../src/search/faiss-binding.ts';
import { useFaissThreads } from '../../src/search/use-faiss-threads.ts';
import { randomVector, seededRandom } from './brute-force.ts';

/**
 * Run as a child process (FAISS stays off the test runner's thread, which a test checks):
 * `node batch-search-fixture.ts --metric l2|ip --count N --dimension D --sizes 1,2,7,19 --k K`
 * builds a flat index (faiss.ts, threads and BLAS threshold as the index worker sets them) and
 * searches 20 distinct queries in one call, the first n of them for each size, and each alone;
 * then the same through an index holding the vectors in reverse order, and one read back from its
 * serialization. Prints JSON; the first query is the first stored vector.
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
const { createFlatIndex, deserializeIndex } = await import('../../src/search/faiss.ts');
faissBinding().setBlasThreshold(1);
const metric = values.metric === 'ip' ? 'ip' : 'l2';
const d = Number(values.dimension);
const k = Number(values.k);
const random = seededRandom(11);
const vectors = Array.from({ length: Number(values.count) }, () => randomVector(random, d));
const index = createFlatIndex(metric, d, Float32Array.from(vectors.flat()));
const reversed = createFlatIndex(metric, d, Float32Array.from(vectors.toReversed().flat()));
const reloaded = deserializeIndex(index.serialize(), metric, d);
const queries = Float32Array.from(
  [vectors[0] as number[], ...Array.from({ length: 19 }, () => randomVector(random, d))].flat(),
);
const whole = index.search(queries, k);
const batches = (values.sizes as string)
  .split(',')
  .map((size) => index.search(queries.subarray(0, Number(size) * d), k));
const alone = Array.from({ length: 20 }, (_, q) => index.search(queries.subarray(q * d, (q + 1) * d), k)[0]);
// Labels of the reversed index mapped back to positions in `vectors`.
const fromReversed = reversed.search(queries, k).map(({ labels, distances }) => ({
  labels: labels.map((label) => vectors.length - 1 - label),
  distances,
}));
const fromReloaded = reloaded.search(queries, k);
console.log(
  JSON.stringify({ vectors, queries: [...queries], whole, batches, alone, fromReversed, fromReloaded }),
);
