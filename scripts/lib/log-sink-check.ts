import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The log sink of a test run: every process the tests start writes its warn+ lines as pino JSON
 * to `<LOG_SINK_DIR>/<pid>.log` (see `createLogger`), and tests that provoke such lines on purpose
 * declare them (`expectLogLines`, `withLogLines`) in `<LOG_SINK_DIR>/expected.jsonl`: a time
 * window and the lines expected in it. After mocha, the runner fails on every line no window
 * expected, and on every required expectation that no line met.
 */

export const DECLARATIONS_FILE = 'expected.jsonl';

export type ExpectedLevel = 'warn' | 'error' | 'fatal';

export interface ExpectedLogLine {
  /** The logger's name (`service` in the line): `auth-server`, `vector-api`, ... */
  service: string;
  level: ExpectedLevel;
  /** The exact `msg`, or a pattern anchored at the start with a literal prefix (`/^redis unavailable/`). */
  msg: string | RegExp;
  /** May not appear (it depends on timing); otherwise at least one line must meet it. */
  optional?: boolean;
}

interface StoredExpectation {
  service: string;
  level: ExpectedLevel;
  msg: string | { source: string; flags: string };
  optional: boolean;
}

export interface Declaration {
  /** The test or suite that declared it, for the report. */
  title: string;
  from: number;
  to: number;
  lines: StoredExpectation[];
}

export interface SinkLine {
  file: string;
  raw: string;
  time: number;
  level: number;
  service: string;
  msg: string;
}

const LEVELS: Record<ExpectedLevel, number> = { warn: 40, error: 50, fatal: 60 };

/** Refuses expectations that would allow too much: an empty message, an unanchored or vague pattern. */
export function checkExpectation(line: ExpectedLogLine): void {
  if (!line.service) throw new Error('expected log line: service is required');
  if (!(line.level in LEVELS)) throw new Error(`expected log line: level must be warn, error or fatal`);
  if (typeof line.msg === 'string') {
    if (!line.msg) throw new Error('expected log line: msg must not be empty');
    return;
  }
  // `^` and at least five literal characters: a pattern names the message, it does not wave it through.
  if (!/^\^[^.*+?()[\]{}|\\$^]{5}/.test(line.msg.source) || line.msg.test('')) {
    throw new Error(
      `expected log line: ${line.msg} must start with ^ and at least five literal characters of the message`,
    );
  }
}

/** Appends one window of expectations to the sink's declarations. */
export function declareExpected(
  sinkDir: string,
  title: string,
  from: number,
  to: number,
  lines: ExpectedLogLine[],
): void {
  const stored: StoredExpectation[] = lines.map((l) => ({
    service: l.service,
    level: l.level,
    msg: typeof l.msg === 'string' ? l.msg : { source: l.msg.source, flags: l.msg.flags },
    optional: Boolean(l.optional),
  }));
  mkdirSync(sinkDir, { recursive: true });
  appendFileSync(join(sinkDir, DECLARATIONS_FILE), `${JSON.stringify({ title, from, to, lines: stored })}\n`);
}

export interface SinkReport {
  unexpected: SinkLine[];
  /** Required expectations no line met: `title: service level msg`. */
  unmet: string[];
}

/** Reads the sink and matches every line against the declarations. */
export function checkLogSink(sinkDir: string): SinkReport {
  if (!existsSync(sinkDir)) return { unexpected: [], unmet: [] };
  const files = readdirSync(sinkDir).filter((f) => f.endsWith('.log'));
  const lines = files.flatMap((file) =>
    readFileSync(join(sinkDir, file), 'utf8')
      .split('\n')
      .filter((raw) => raw.trim())
      .map((raw) => parseLine(file, raw)),
  );
  const declarationsPath = join(sinkDir, DECLARATIONS_FILE);
  const declarations: Declaration[] = existsSync(declarationsPath)
    ? readFileSync(declarationsPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Declaration)
    : [];
  const used = new Set<StoredExpectation>();
  const unexpected = lines.filter((line) => {
    let met = false;
    for (const d of declarations) {
      if (line.time < d.from || line.time > d.to) continue;
      for (const e of d.lines) {
        if (matches(e, line)) {
          used.add(e);
          met = true;
        }
      }
    }
    return !met;
  });
  const unmet = declarations.flatMap((d) =>
    d.lines
      .filter((e) => !e.optional && !used.has(e))
      .map(
        (e) =>
          `${d.title}: ${e.service} ${e.level} ${typeof e.msg === 'string' ? JSON.stringify(e.msg) : `/${e.msg.source}/${e.msg.flags}`}`,
      ),
  );
  return { unexpected, unmet };
}

/**
 * Which test was running (had started last) when each line was logged, from the runner's
 * `tests.jsonl` (scripts/lib/test-windows.ts): `<file>: <full title>`.
 */
export function attributeLines(sinkDir: string, lines: SinkLine[]): Map<SinkLine, string> {
  const path = join(sinkDir, 'tests.jsonl');
  const starts = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { at: number; file: string; title: string })
        .sort((a, b) => a.at - b.at)
    : [];
  const during = new Map<SinkLine, string>();
  for (const line of lines) {
    let current: (typeof starts)[number] | undefined;
    for (const s of starts) {
      if (s.at > line.time) break;
      current = s;
    }
    during.set(line, current ? `${current.file}: ${current.title}` : 'before the first test');
  }
  return during;
}

/** One line for the report: service, level, message, the error's message if any, file and time. */
export function describeLine(line: SinkLine): string {
  let err = '';
  try {
    const parsed = JSON.parse(line.raw) as { err?: { message?: string } };
    if (parsed.err?.message) err = ` (err: ${parsed.err.message})`;
  } catch {
    return `${line.file}: ${line.raw.slice(0, 300)}`;
  }
  const level = Object.entries(LEVELS).find(([, n]) => n === line.level)?.[0] ?? String(line.level);
  return `${line.service} ${level} ${JSON.stringify(line.msg)}${err} [${line.file} ${new Date(line.time).toISOString()}]`;
}

function matches(e: StoredExpectation, line: SinkLine): boolean {
  if (e.service !== line.service || LEVELS[e.level] !== line.level) return false;
  return typeof e.msg === 'string'
    ? e.msg === line.msg
    : new RegExp(e.msg.source, e.msg.flags).test(line.msg);
}

function parseLine(file: string, raw: string): SinkLine {
  try {
    const p = JSON.parse(raw) as { time?: string | number; level?: number; service?: string; msg?: string };
    return {
      file,
      raw,
      time: typeof p.time === 'number' ? p.time : Date.parse(p.time ?? ''),
      level: p.level ?? 0,
      service: p.service ?? '',
      msg: p.msg ?? '',
    };
  } catch {
    return { file, raw, time: Number.NaN, level: 0, service: '', msg: '' };
  }
}
