import {
  checkExpectation,
  declareExpected,
  type ExpectedLogLine,
} from '../../../scripts/lib/log-sink-check.ts';

export type { ExpectedLogLine };

/**
 * `npm test` fails when a process logs a warn or error line nobody expected. A test that provokes
 * such a line on purpose declares it here, as narrowly as it can:
 *
 *   describe('Postgres outage', function () {
 *     expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'postgres unavailable' }]);
 *     ...
 *   });
 *
 * expects the lines from the suite's first hook to the end of its last one (its `after` hooks
 * included, so a service stopped there may still log); `withLogLines(lines, fn)` expects them only
 * while `fn` runs. `msg` is the exact message or a regular expression anchored with `^` and five
 * literal characters; `service` and `level` must match exactly. Each expectation must be met by at
 * least one line unless `optional: true` (for lines whose appearance depends on timing).
 */
export function expectLogLines(lines: ExpectedLogLine[]): void {
  for (const line of lines) checkExpectation(line);
  let from = 0;
  before(function openExpectedLogLines() {
    from = Date.now();
    const suite = this.test?.parent;
    if (!suite) throw new Error('expectLogLines must be called in a describe body');
    // Added now, so that it runs after every `after` hook the suite declared.
    suite.afterAll(function closeExpectedLogLines() {
      record(suite.fullTitle(), from, lines);
    });
  });
}

/** Expects `lines` while `fn` runs (see `expectLogLines`). */
export async function withLogLines<T>(lines: ExpectedLogLine[], fn: () => Promise<T>): Promise<T> {
  for (const line of lines) checkExpectation(line);
  const where = new Error().stack?.split('\n')[2]?.trim().replace(/^at /, '') ?? 'withLogLines';
  const from = Date.now();
  try {
    return await fn();
  } finally {
    record(where, from, lines);
  }
}

function record(title: string, from: number, lines: ExpectedLogLine[]): void {
  const sinkDir = process.env.LOG_SINK_DIR;
  if (sinkDir) declareExpected(sinkDir, title, from, Date.now(), lines);
}
