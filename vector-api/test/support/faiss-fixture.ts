import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createFlatIndex, type IndexMetric } from '../../src/search/faiss.ts';
import { randomVector, seededRandom } from './brute-force.ts';

/**
 * Run as a child process (faiss-node must stay out of the test runner's thread):
 * `node faiss-fixture.ts --out <file> --metric l2|ip --dimension D --count N --seed S [--queries Q --k K] [--idmap]`
 * writes a FAISS index through vector-api/src/search/faiss.ts (with `--idmap`, wrapped in an
 * IndexIDMap whose ids are 1000 + 7 * position) and prints JSON: the vectors, the queries, and
 * FAISS's own answers to them.
 */
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    metric: { type: 'string', default: 'l2' },
    dimension: { type: 'string', default: '16' },
    count: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    queries: { type: 'string', default: '0' },
    k: { type: 'string', default: '10' },
    idmap: { type: 'boolean', default: false },
  },
});
const d = Number(values.dimension);
const n = Number(values.count);
const metric = values.metric as IndexMetric;
const random = seededRandom(Number(values.seed));
const vectors = Array.from({ length: n }, () => randomVector(random, d));
const queries = Array.from({ length: Number(values.queries) }, () => randomVector(random, d));
const index = createFlatIndex(metric, d, Float32Array.from(vectors.flat()));
if (values.idmap) {
  // IndexIDMap ("IxMp"): the same header as the flat index, the flat index, then the int64 ids.
  const flat = index.serialize();
  const header = flat.subarray(4, 37);
  const ids = Buffer.alloc(8 + n * 8);
  ids.writeBigUInt64LE(BigInt(n), 0);
  for (let i = 0; i < n; i++) ids.writeBigInt64LE(BigInt(1000 + 7 * i), 8 + i * 8);
  writeFileSync(values.out as string, Buffer.concat([Buffer.from('IxMp', 'latin1'), header, flat, ids]));
} else {
  index.writeFile(values.out as string);
}
const answers = index.search(Float32Array.from(queries.flat()), Number(values.k));
console.log(JSON.stringify({ vectors, queries, answers }));
