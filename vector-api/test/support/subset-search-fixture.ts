import { filterSubset } from '../../src/search/filter-subset.ts';
import { useFaissThreads } from '../../src/search/use-faiss-threads.ts';
import { randomVector, seededRandom } from './brute-force.ts';

/**
 * Run as a child process (FAISS stays off the test runner's thread): builds an L2 index of two
 * clusters (A around 0, B around 100), 500 vectors each, and searches queries near A within
 * subsets: all of B (half the records, none of them among A's neighbours: the oversampled search
 * finds no member and must search the subset again), every 4th record (a quarter, members among
 * the neighbours), and 3 records (below the oversampling share). Prints JSON: the vectors, the
 * queries, and for each subset its members and the answers.
 */
useFaissThreads(1);
const { createFlatIndex } = await import('../../src/search/faiss.ts');
const { searchSubset } = await import('../../src/search/subset-search.ts');
const d = 8;
const random = seededRandom(5);
const vectors = Array.from({ length: 1000 }, (_, i) =>
  randomVector(random, d).map((x) => x + (i < 500 ? 0 : 100)),
);
const queries = Array.from({ length: 3 }, () => randomVector(random, d));
const index = createFlatIndex('l2', d, Float32Array.from(vectors.flat()));
const subsets = {
  clusterB: (i: number) => i >= 500,
  quarter: (i: number) => i % 4 === 0,
  three: (i: number) => i === 7 || i === 600 || i === 901,
};
const out = Object.fromEntries(
  Object.entries(subsets).map(([name, member]) => {
    const metadata = vectors.map((_, i) => ({ m: member(i) }));
    const subset = filterSubset(metadata, { field: 'm', op: '$eq', value: true });
    const answers = searchSubset(index, Float32Array.from(queries.flat()), d, 10, subset);
    return [name, { members: vectors.flatMap((_, i) => (member(i) ? [i] : [])), answers }];
  }),
);
console.log(JSON.stringify({ vectors, queries, subsets: out }));
