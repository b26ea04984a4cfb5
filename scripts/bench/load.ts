import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  /** Measured operations. */
  count: number;
  /** Operations in flight at once (closed loop: each worker starts the next when one ends). */
  concurrency: number;
  /** Operations run first at the same concurrency and thrown away. */
  warmup: number;
}

export interface LoadResult {
  count: number;
  concurrency: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Every measured latency, ms (for merging runs). */
  latencies: Float64Array;
  /** CPU time the server process spent during the run, when measured (process-cpu.ts). */
  serverCpuMs?: number;
}

/**
 * Runs `op(i)` `count` times with `concurrency` in flight, after `warmup` discarded runs, and
 * reports throughput and latency percentiles. Any failed operation fails the whole run: a
 * benchmark that counts errors as fast answers lies.
 */
export async function runLoad(
  options: LoadOptions,
  op: (i: number) => Promise<unknown> | unknown,
): Promise<LoadResult> {
  if (options.warmup > 0) await drive(options.warmup, options.concurrency, op, 0);
  const started = performance.now();
  const latencies = await drive(options.count, options.concurrency, op, options.warmup);
  const seconds = (performance.now() - started) / 1000;
  return {
    count: options.count,
    concurrency: options.concurrency,
    seconds,
    opsPerSec: options.count / seconds,
    ...summarise(latencies),
    latencies,
  };
}

/** Several runs of the same operation as one result (throughput over their total time). */
export function mergeResults(results: readonly LoadResult[]): LoadResult {
  const count = results.reduce((n, r) => n + r.count, 0);
  const seconds = results.reduce((n, r) => n + r.seconds, 0);
  const latencies = new Float64Array(count);
  let at = 0;
  for (const r of results) {
    latencies.set(r.latencies, at);
    at += r.latencies.length;
  }
  const cpu = results.map((r) => r.serverCpuMs);
  return {
    count,
    concurrency: results[0]?.concurrency ?? 1,
    seconds,
    opsPerSec: count / seconds,
    ...summarise(latencies),
    latencies,
    ...(cpu.every((ms) => ms !== undefined) ? { serverCpuMs: cpu.reduce((a, b) => a + b, 0) } : {}),
  };
}

/**
 * Runs `a` and `b` in the order a, b, b, a and merges each side's two runs, so that a drift in
 * the machine's load (other processes, caches warming) weighs on both sides alike.
 */
export async function abba(
  a: (run: number) => Promise<LoadResult>,
  b: (run: number) => Promise<LoadResult>,
): Promise<{ a: LoadResult; b: LoadResult }> {
  const a1 = await a(1);
  const b1 = await b(1);
  const b2 = await b(2);
  const a2 = await a(2);
  return { a: mergeResults([a1, a2]), b: mergeResults([b1, b2]) };
}

async function drive(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown> | unknown,
  offset: number,
): Promise<Float64Array> {
  const latencies = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await op(offset + i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}

/** p50 and p99 by nearest rank. */
export function summarise(latencies: Float64Array): { p50Ms: number; p99Ms: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
