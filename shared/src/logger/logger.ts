import { type Logger, pino } from 'pino';

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

/** JSON lines on stdout (or `destination`), with secret fields redacted. */
export function createLogger(options: {
  name: string;
  level: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  const opts = {
    name: options.name,
    level: options.level,
    base: { service: options.name },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
