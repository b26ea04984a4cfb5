import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@vectorauth/shared';

export interface KeptLog {
  logger: Logger;
  /** Every JSON line logged so far, oldest first, as written. */
  lines: string[];
}

/** A logger that keeps its lines (from `level` up) instead of writing them anywhere. */
export function keptLog(name: string, level: string): KeptLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ name, level, destination }), lines };
}
