import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/errors.ts';
import { problemLine } from './config-problems.ts';

/**
 * Development only: a random secret kept in `DATA_DIR/secrets/<name>` so that every process of
 * one installation agrees on it and restarts keep it. Production refuses to start without the
 * explicit environment variable instead (see each service's config). A DATA_DIR it cannot write
 * is a configuration problem (ConfigError), said as one line.
 */
export function devSecret(dataDir: string, name: string, bytes = 32): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const value = randomBytes(bytes).toString(name.endsWith('key') ? 'base64' : 'base64url');
    try {
      mkdirSync(dataDir, { recursive: true });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
      return value;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return readFileSync(file, 'utf8').trim(); // another process won the race
      const problem = `must be a directory this user can write (development secrets are kept in it; ${code})`;
      throw new ConfigError([problemLine('DATA_DIR', problem, dataDir, false)]);
    }
  }
}
