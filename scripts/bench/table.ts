import { formatTable } from '../lib/text-table.ts';
import type { LoadResult } from './load.ts';

export interface Row {
  name: string;
  result: LoadResult;
}

/** The server's CPU per operation in microseconds, when the run measured it. */
const cpuPerOp = (result: LoadResult): number | undefined =>
  result.serverCpuMs === undefined ? undefined : (1000 * result.serverCpuMs) / result.count;

export function formatResults(rows: Row[]): string {
  const cpu = rows.some((r) => r.result.serverCpuMs !== undefined);
  return formatTable(
    ['measurement', 'ops/s', 'p50 ms', 'p99 ms', 'count', 'conc.', ...(cpu ? ['server CPU us/op'] : [])],
    rows.map(({ name, result }) => [
      name,
      result.opsPerSec.toFixed(result.opsPerSec < 100 ? 1 : 0),
      result.p50Ms.toFixed(2),
      result.p99Ms.toFixed(2),
      String(result.count),
      String(result.concurrency),
      ...(cpu ? [cpuPerOp(result)?.toFixed(0) ?? ''] : []),
    ]),
  );
}

export interface Comparison {
  name: string;
  ours: LoadResult;
  bare: LoadResult;
  /** The throughput ratio a goal asks for (issue 14's "Done when"), shown when given. */
  target?: number;
}

/** "ours / bare" (or `header`) for throughput (higher is better) and p99 (lower is better). */
export function formatRatios(comparisons: Comparison[], header = 'ours / bare'): string {
  const targets = comparisons.some((c) => c.target !== undefined);
  const cpu = comparisons.some((c) => cpuPerOp(c.ours) !== undefined && cpuPerOp(c.bare) !== undefined);
  return formatTable(
    [
      header,
      'throughput',
      'p99 latency',
      ...(cpu ? ['server CPU/op'] : []),
      ...(targets ? ['goal (throughput)'] : []),
    ],
    comparisons.map(({ name, ours, bare, target }) => {
      const ratio = ours.opsPerSec / bare.opsPerSec;
      const goal =
        target === undefined ? '' : `>= ${target.toFixed(2)}x ${ratio >= target ? 'met' : 'NOT met'}`;
      const oursCpu = cpuPerOp(ours);
      const bareCpu = cpuPerOp(bare);
      return [
        name,
        `${ratio.toFixed(2)}x`,
        `${(ours.p99Ms / bare.p99Ms).toFixed(2)}x`,
        ...(cpu ? [oursCpu && bareCpu ? `${(oursCpu / bareCpu).toFixed(2)}x` : ''] : []),
        ...(targets ? [goal] : []),
      ];
    }),
  );
}
