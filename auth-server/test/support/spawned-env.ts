import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LIFTED_AUTH_RATE_LIMITS, LIFTED_VECTOR_RATE_LIMITS } from './lifted-rate-limits.ts';
import { testEnv } from './test-env.ts';

/**
 * The environment of a service a test spawns as a process (`node <service>/src/main.ts`): the
 * runner's databases, Redis and DATA_DIR (the same development master key opens the same keys as
 * in-process servers), warn-level logs and the rate limits lifted; `extra` goes over all of it.
 */
export function spawnedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv & { DATA_DIR: string } {
  const base = testEnv();
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATA_DIR: resolve(base.dataDir),
    DATABASE_URL: base.databaseUrl,
    VECTOR_DATABASE_URL: base.vectorDatabaseUrl,
    REDIS_URL: base.redisUrl,
    ...LIFTED_AUTH_RATE_LIMITS,
    ...LIFTED_VECTOR_RATE_LIMITS,
    ...extra,
  };
}

/** The admin token the spawned auth server made (or found) in its DATA_DIR. */
export const adminTokenIn = (dataDir: string): string =>
  readFileSync(resolve(dataDir, 'secrets/admin-token'), 'utf8').trim();
