import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Development only: a random secret kept in `DATA_DIR/secrets/<name>` so that every process of
 * one installation agrees on it and restarts keep it. Production refuses to start without the
 * explicit environment variable instead (see each service's config).
 */
export function devSecret(dataDir: string, name: string, bytes = 32): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const value = randomBytes(bytes).toString(name.endsWith('key') ? 'base64' : 'base64url');
    try {
      writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
      return value;
    } catch {
      return readFileSync(file, 'utf8').trim(); // another process won the race
    }
  }
}
