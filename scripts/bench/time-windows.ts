import { percentile } from './load.ts';

/** One finished operation of an open-loop run: when it was due (ms from the start), how long it took. */
export interface Sample {
  at: number;
  ms: number;
  /** HTTP status of the answer that decided the outcome, or 0 when a request itself failed. */
  status: number;
  /** Whether the operation got what it expected. */
  ok: boolean;
}

export interface Window {
  /** 0 for the first `windowMs`, 1 for the next, ... */
  index: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers with a 5xx status. */
  serverErrors: number;
  /** Anything else that was not the expected answer (other statuses, failed connections). */
  otherErrors: number;
}

/**
 * Latency percentiles and error counts per window of time (a soak's "p99 over time"), by the time
 * each operation was due. Every window up to the last sample is listed, empty ones included.
 */
export function windowsOf(samples: readonly Sample[], windowMs: number): Window[] {
  const buckets: Sample[][] = [];
  for (const s of samples) {
    const index = Math.max(0, Math.floor(s.at / windowMs));
    while (buckets.length <= index) buckets.push([]);
    buckets[index]!.push(s);
  }
  return buckets.map((bucket, index) => {
    const sorted = Float64Array.from(bucket, (s) => s.ms).sort();
    return {
      index,
      count: bucket.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      serverErrors: bucket.filter((s) => s.status >= 500).length,
      otherErrors: bucket.filter((s) => s.status < 500 && !s.ok).length,
    };
  });
}

/** Growth from `before` to `after` in percent (+12.5 for 80 -> 90); NaN without a baseline. */
export function growthPercent(before: number, after: number): number {
  return before > 0 ? ((after - before) / before) * 100 : Number.NaN;
}
