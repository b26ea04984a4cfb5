import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger/logger.ts';

/** A logger that writes nothing anywhere (not even the runner's sink): for clients a test makes. */
export function silentLogger(name: string): Logger {
  return createLogger({
    name,
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
}
