import { FilterSubsets } from '../../src/search/filter-subset.ts';
import type { Entry } from '../../src/search/index-entry.ts';
import { useFaissThreads } from '../../src/search/use-faiss-threads.ts';
import { DEFAULT_INDEX_SETTINGS, type IndexType } from '../../src/store/index-settings.ts';
import { randomVector, seededRandom } from './brute-force.ts';

/**
 * Run as a child process (FAISS stays off the test runner's thread): drives background builds on
 * real FAISS indexes and prints what came out as JSON.
 * - `graph`: a flat entry of 6000 vectors whose settings want HNSW; after the build's first slice,
 *   labels 0-99 are masked (deleted meanwhile) and 50 vectors appended (one of them then masked).
 * - `compact`: an HNSW entry of 400 vectors, half masked, whose settings want flat: compacted.
 * - `abandoned`: a build whose entry stops being the cached one after its first slice.
 * For each: the entry's ids, whether each live label holds its id's vector, and the hooks called.
 */
useFaissThreads(1);
const { createBackgroundBuilds } = await import('../../src/search/background-build.ts');
const { buildIndex } = await import('../../src/search/index-entry.ts');
const d = 8;
const random = seededRandom(9);
const vectorOf = new Map<string, number[]>();

function entry(type: IndexType, count: number, kind: 'flat' | 'hnsw'): Entry {
  const ids = Array.from({ length: count }, (_, i) => `v${i}`);
  for (const id of ids) vectorOf.set(id, randomVector(random, d));
  const target = {
    key: `c-${type}`,
    principal: 'p',
    metric: 'l2' as const,
    dimension: d,
    index: { ...DEFAULT_INDEX_SETTINGS, type },
  };
  return {
    target,
    version: 1,
    index: buildIndex(target, kind, Float32Array.from(ids.flatMap((id) => vectorOf.get(id) as number[]))),
    ids,
    masked: 0,
    metadata: ids.map(() => null),
    sizes: ids.map(() => 0),
    extraBytes: 0,
    codec: 'plaintext' as never,
    dataKey: null,
    changes: 0,
    writing: false,
    subsets: new FilterSubsets(),
  };
}

const mask = (e: Entry, label: number) => {
  e.ids[label] = '';
  e.masked++;
};

function append(e: Entry, ids: string[]) {
  for (const id of ids) vectorOf.set(id, randomVector(random, d));
  e.index.add(Float32Array.from(ids.flatMap((id) => vectorOf.get(id) as number[])));
  e.ids.push(...ids);
  e.metadata.push(...ids.map(() => null));
  e.sizes.push(...ids.map(() => 0));
}

function report(e: Entry, calls: string[]) {
  const labels = e.ids.flatMap((id, label) => (id === '' ? [] : [label]));
  const stored = labels.length > 0 ? e.index.vectorsAt(labels) : new Float32Array(0);
  const consistent = labels.every((label, i) =>
    (vectorOf.get(e.ids[label] as string) as number[]).every((x, j) => Math.fround(x) === stored[i * d + j]),
  );
  return {
    kind: e.index.kind,
    size: e.index.size(),
    ids: e.ids,
    masked: e.masked,
    consistent,
    calls,
    building: !!e.build,
  };
}

async function run(e: Entry, between: (e: Entry) => void, isCurrent: () => boolean = () => true) {
  const calls: string[] = [];
  let betweenDone = false;
  await new Promise<void>((resolve) => {
    const builds = createBackgroundBuilds({
      current: () => isCurrent(),
      step(entry) {
        calls.push('step');
        if (!betweenDone) {
          betweenDone = true;
          between(entry);
        }
        if (!isCurrent()) setImmediate(() => setImmediate(resolve));
      },
      done() {
        calls.push('done');
        resolve();
      },
      failed(_e, err) {
        calls.push(`failed: ${String(err)}`);
        resolve();
      },
    });
    builds.start(e);
    if (!e.build) resolve();
  });
  return report(e, calls);
}

const graph = entry('hnsw', 6000, 'flat');
const graphOut = await run(graph, (e) => {
  for (let label = 0; label < 100; label++) mask(e, label);
  append(
    e,
    Array.from({ length: 50 }, (_, i) => `n${i}`),
  );
  mask(e, e.ids.indexOf('n0'));
});

const compact = entry('flat', 400, 'hnsw');
for (let label = 0; label < 400; label += 2) mask(compact, label);
const compactOut = await run(compact, () => undefined);

let current = true;
const abandoned = entry('hnsw', 6000, 'flat');
const abandonedOut = await run(
  abandoned,
  () => {
    current = false;
  },
  () => current,
);

process.stdout.write(JSON.stringify({ graph: graphOut, compact: compactOut, abandoned: abandonedOut }));
