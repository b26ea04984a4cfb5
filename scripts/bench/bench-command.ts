import type { CommandSpec } from '../lib/command-line.ts';
import { SCENARIOS } from './scenario-selection.ts';

const count = (fallback: number, help: string, min = 1) =>
  ({ type: 'string', value: 'N', default: String(fallback), whole: { min }, help }) as const;

/** `npm run bench`: its options (each with its default), for the parser and for `--help`. */
export const BENCH_COMMAND = {
  name: 'bench',
  run: 'npm run bench --',
  summary: [
    'Starts the whole stack on loopback (its own under .data/bench, or DATABASE_URL, VECTOR_DATABASE_URL',
    'and REDIS_URL when given), measures each scenario against its baseline, side by side in the same',
    'run, and prints one table. Everything it starts is stopped, even on failure.',
  ].join('\n'),
  options: {
    only: {
      type: 'string',
      value: '<names>',
      multiple: true,
      help: `run only these scenarios (comma-separated), in the default order: ${SCENARIOS.join(', ')}`,
    },
    soak: {
      type: 'string',
      value: 'N',
      whole: { min: 1 },
      help: 'then a soak of N minutes at 80% of the mixed traffic peak; alone unless --only is given',
    },
    tokens: count(5000, 'client-credentials tokens per measurement'),
    searches: count(2000, 'searches per measurement'),
    concurrency: count(16, 'requests in flight'),
    vectors: count(10_000, 'vectors in the searched collection'),
    dimension: count(384, 'dimension of its vectors'),
    k: count(10, 'results per search'),
    batch: count(1000, 'vectors per upsert request'),
    'warmup-tokens': count(500, 'tokens requested before each token measurement', 0),
    'warmup-searches': count(200, 'searches before each search measurement', 0),
    upserts: count(6000, 'vectors upserted per encryption on/off measurement'),
    'cold-vectors': count(100_000, 'vectors of the cold-load collection; 0 skips it', 0),
    'ann-vectors': count(100_000, 'vectors of the flat vs. HNSW comparison; 0 skips it', 0),
    'sign-ins': count(40, 'sign-ins through the pages, bcrypt at cost 12'),
    resource: count(3000, 'requests per resource-server layer measurement'),
    'scale-accounts': count(100_000, 'accounts seeded for scale-tokens', 0),
    'scale-clients': count(10_000, 'clients seeded for scale-tokens', 0),
    principals: count(10_000, 'principals with a collection each, for vector-cache'),
    'principal-vectors': count(16, 'vectors in each of their collections'),
    'principal-dimension': count(128, 'dimension of those vectors'),
    'cache-mb': count(16, 'VECTOR_CACHE_MB of the vector-cache scenario'),
    'cache-searches': count(10_000, 'Zipf-skewed searches over the principals'),
    zipf: {
      type: 'string',
      value: 's',
      default: '1',
      help: 'Zipf exponent of those searches, a number >= 0',
    },
    'soak-peak-seconds': count(20, 'seconds the soak measures the peak for'),
  },
  examples: [
    'npm run bench -- --only tokens,searches',
    'npm run bench -- --only ann --ann-vectors 1000000',
    'npm run bench -- --soak 10',
  ],
  notes: 'BENCH_CPU_PROFILE=<dir> makes every service write a V8 CPU profile there.',
} as const satisfies CommandSpec;
