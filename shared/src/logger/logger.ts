import { type LevelWithSilent, type Logger, pino } from 'pino';
import { openLogSink } from './log-sink.ts';

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'client_secret',
  '*.client_secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.MASTER_KEY',
  '*.ADMIN_TOKEN',
];

/**
 * JSON lines on stdout (or `destination`), with secret fields redacted. When `LOG_SINK_DIR` is
 * set (the test runner sets it) and no `destination` is given, every warn+ line is also appended
 * to this process's file there, whatever `level` says: `npm test` fails on lines nobody expected.
 */
export function createLogger(options: {
  name: string;
  level: string;
  destination?: NodeJS.WritableStream;
  /** Defaults to `LOG_SINK_DIR`. */
  sinkDir?: string;
}): Logger {
  const opts = {
    name: options.name,
    level: options.level,
    base: { service: options.name },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(opts, options.destination);
  const sinkDir = options.sinkDir ?? process.env.LOG_SINK_DIR;
  if (!sinkDir) return pino(opts);
  const level = options.level as LevelWithSilent;
  const streams: pino.StreamEntry[] = [{ level: 'warn', stream: openLogSink(sinkDir) }];
  if (level !== 'silent') streams.push({ level, stream: pino.destination(1) });
  const lowest = level === 'silent' || pino.levels.values[level]! > pino.levels.values.warn! ? 'warn' : level;
  return pino({ ...opts, level: lowest }, pino.multistream(streams));
}
