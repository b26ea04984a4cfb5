import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One `npm start` per DATA_DIR: a lock file with the pid. A live holder is named in one sentence;
 * a stale lock (its process is gone: killed with -9, a crash) is taken over silently.
 */
export function claimStartLock(dataDir: string): { release(): void } {
  const file = join(dataDir, 'start.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (isAlive(holder)) {
        throw new Error(
          `another npm start (pid ${holder}) is already running with DATA_DIR ${dataDir}; stop it first (kill -TERM ${holder})`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
