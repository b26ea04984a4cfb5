import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Claims `preferred` for this process (a lock file with its pid); when another live process holds
 * it, claims `<preferred>-<pid>` instead, so two test runs in one checkout never share a database.
 * `release()` drops the lock and removes a per-process directory.
 */
export function claimDir(preferred: string): { dir: string; release(): void } {
  mkdirSync(preferred, { recursive: true });
  const lock = join(preferred, '.lock');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (alive(holder)) {
      const dir = `${preferred}-${process.pid}`;
      return { dir, release: () => rmSync(dir, { recursive: true, force: true }) };
    }
    writeFileSync(lock, String(process.pid));
  }
  return { dir: preferred, release: () => rmSync(lock, { force: true }) };
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
