import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { type DestinationStream, pino } from 'pino';

const open = new Map<string, DestinationStream>();

/**
 * This process's (and thread's) file in `dir`: `<pid>.log` or `<pid>-<thread>.log`, appended to
 * synchronously, so a line is on disk before a crash or a `kill -9`. One file per process, shared
 * by every logger in it.
 */
export function openLogSink(dir: string): DestinationStream {
  const path = join(dir, threadId ? `${process.pid}-${threadId}.log` : `${process.pid}.log`);
  let stream = open.get(path);
  if (!stream) {
    stream = pino.destination({ dest: path, sync: true, append: true, mkdir: true });
    open.set(path, stream);
  }
  return stream;
}
