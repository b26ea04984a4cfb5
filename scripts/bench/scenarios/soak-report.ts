import { formatTable } from '../../lib/text-table.ts';
import { SOAK_MIX, type SoakResult } from './soak.ts';

/** A soak's report: the rate, a table per minute, one per operation, and every process's RSS. */
export function formatSoak(s: SoakResult): string {
  const mb = (b: number | undefined) => (b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MB`);
  const ms = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
  const names = s.memory.map((m) => m.name);
  const percent = (g: number) => (Number.isNaN(g) ? '-' : `${g >= 0 ? '+' : ''}${g.toFixed(1)}%`);
  return [
    `soak: ${s.minutes} min at ${s.rate.toFixed(0)} ops/s, 80% of the mix's peak ${s.peakOpsPerSec.toFixed(0)} ops/s (closed loop, concurrency ${s.peakConcurrency}, ${s.peakSeconds} s, ${s.peakServerErrors} 5xx)`,
    `mix:  ${SOAK_MIX}; open loop, latency from when each operation was due`,
    formatTable(
      ['minute', 'ops', 'ops/s', 'p50 ms', 'p99 ms', '5xx', 'other errors', ...names.map((n) => `RSS ${n}`)],
      s.minutesTable.map((w) => [
        String(w.index + 1),
        String(w.count),
        w.opsPerSec.toFixed(0),
        ms(w.p50Ms),
        ms(w.p99Ms),
        String(w.serverErrors),
        String(w.otherErrors),
        ...names.map((n) => mb(w.rss[n])),
      ]),
    ),
    formatTable(
      ['by operation', 'count', 'p50 ms', 'p99 ms', '5xx', 'other errors'],
      [...s.byKind.map(({ kind, window }) => ({ name: kind, w: window })), { name: 'all', w: s.total }].map(
        ({ name, w }) => [
          name,
          String(w.count),
          ms(w.p50Ms),
          ms(w.p99Ms),
          String(w.serverErrors),
          String(w.otherErrors),
        ],
      ),
    ),
    `not sent (more than 2000 in flight): ${s.shed}`,
    ...s.failures.map((f) => `failed: ${f}`),
    formatTable(
      [
        'process (RSS; the index worker is a thread of vector-api)',
        'warm-up',
        'after minute 1',
        'end',
        'growth from warm-up',
        'from minute 1',
      ],
      s.memory.map((m) => [
        m.name,
        mb(m.warm),
        mb(m.minute1),
        mb(m.end),
        percent(m.growth),
        percent(m.growthSinceMinute1),
      ]),
    ),
  ].join('\n');
}
