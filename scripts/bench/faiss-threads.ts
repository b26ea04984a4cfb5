import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { randomVectorsF32 } from './dataset.ts';

/**
 * `bash scripts/with-node.sh scripts/bench/faiss-threads.ts [--vectors 10000 --dimension 384]`:
 * FAISS alone, the way the index worker runs it (the vector API's binding loaded in a worker
 * thread), under several OpenMP / OpenBLAS thread settings, one fresh process each. For each metric
 * and batch size it prints milliseconds per call with FAISS's own BLAS threshold (a scan below 20
 * queries) and with BLAS from the first query (what the worker sets), and the threads the process
 * holds after searching (proof of what the settings did).
 *
 * The settings are put in `process.env` by the main thread before the worker loads the binding:
 * libgomp and OpenBLAS read them once, when the addon is loaded, from the process environment.
 */
const { values: args } = parseArgs({
  options: {
    vectors: { type: 'string', default: '10000' },
    dimension: { type: 'string', default: '384' },
    rounds: { type: 'string', default: '30' },
    child: { type: 'string' },
  },
});
const count = Number(args.vectors);
const dimension = Number(args.dimension);
const rounds = Number(args.rounds);
const SIZES = [1, 2, 4, 7, 10, 15, 19, 20, 25, 32, 64];
const PAD = 20;

const SETTINGS: Record<string, Record<string, string>> = {
  default: {},
  'omp1-blas1': { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  'omp2-blas1': { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1' },
  'omp1-blas2': { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '2' },
  'omp2-blas1-passive': { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
};

/** Milliseconds per call: wall clock, and CPU of the whole process (spinning threads included). */
interface Cost {
  wall: number;
  cpu: number;
}

interface Row {
  metric: 'ip' | 'l2';
  nq: number;
  scanBelow20: Cost;
  blasFrom1: Cost;
}

async function measure(): Promise<{ rows: Row[]; threads: number }> {
  const { faissBinding } = await import('../../vector-api/src/search/faiss-binding.ts');
  const faiss = faissBinding();
  const vectors = randomVectorsF32(count, dimension, 1);
  const queries = randomVectorsF32(64, dimension, 2);
  const rows: Row[] = [];
  for (const metric of ['ip', 'l2'] as const) {
    const index = faiss.FaissIndex.create(dimension, metric);
    index.add(vectors);
    const time = (nq: number, threshold: number): Cost => {
      faiss.setBlasThreshold(threshold);
      const q = queries.subarray(0, nq * dimension);
      for (let i = 0; i < 3; i++) index.search(q, 10);
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < rounds; i++) index.search(q, 10);
      const used = process.cpuUsage(cpu);
      return { wall: (performance.now() - started) / rounds, cpu: (used.user + used.system) / 1000 / rounds };
    };
    for (const nq of SIZES) rows.push({ metric, nq, scanBelow20: time(nq, PAD), blasFrom1: time(nq, 1) });
    index.dispose();
  }
  return { rows, threads: readdirSync('/proc/self/task').length };
}

if (!isMainThread) {
  parentPort?.postMessage(await measure());
} else if (args.child) {
  // A fresh process: set the environment, then load FAISS in a worker thread, like the vector API.
  for (const [k, v] of Object.entries(SETTINGS[args.child] ?? {})) process.env[k] = v;
  const worker = new Worker(new URL(import.meta.url), { workerData: null });
  worker.once('message', (result) => {
    console.log(JSON.stringify(result));
    void worker.terminate();
  });
} else {
  void workerData;
  console.log(`FAISS flat ${count} x ${dimension}, k=10, ms per call (${rounds} calls each)`);
  const results: Record<string, { rows: Row[]; threads: number }> = {};
  for (const name of Object.keys(SETTINGS)) {
    const env = { ...process.env };
    for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'OMP_WAIT_POLICY']) delete env[k];
    const run = spawnSync(
      process.execPath,
      [
        import.meta.filename,
        '--child',
        name,
        ...['--vectors', String(count), '--dimension', String(dimension)],
        '--rounds',
        String(rounds),
      ],
      { env, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    results[name] = JSON.parse(run.stdout.trim().split('\n').pop() as string);
  }
  const ms = (c: Cost) => `${c.wall.toFixed(2)} (${c.cpu.toFixed(2)})`;
  for (const [name, { rows, threads }] of Object.entries(results)) {
    console.log(
      `\n${name} ${JSON.stringify(SETTINGS[name])}: ${threads} threads in the process after searching`,
    );
    console.log(`metric\tqueries\tscan below ${PAD}: wall (cpu) ms\tBLAS from 1: wall (cpu) ms`);
    for (const row of rows)
      console.log(`${row.metric}\t${row.nq}\t${ms(row.scanBelow20)}\t${ms(row.blasFrom1)}`);
  }
}
