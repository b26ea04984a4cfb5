import { createLogger } from '@vectorauth/shared';
import { loadVectorApiConfig, type RunningVectorApi, startVectorApi } from '@vectorauth/vector-api';
import { LIFTED_VECTOR_RATE_LIMITS } from './lifted-rate-limits.ts';
import type { TestAuthServer } from './test-auth-server.ts';
import { testEnv } from './test-env.ts';

/** The real vector API, in this process, trusting `auth` (its issuer, JWKS and audience). */
export async function startVectorApiFor(
  auth: TestAuthServer,
  overrides: Record<string, string> = {},
): Promise<RunningVectorApi> {
  const env = testEnv();
  const config = loadVectorApiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    VECTOR_PORT: '0',
    VECTOR_API_URL: auth.config.vectorApiUrl,
    ISSUER: auth.issuer,
    JWKS_URI: `${auth.issuer}/jwks`,
    VECTOR_DATABASE_URL: env.vectorDatabaseUrl,
    REDIS_URL: env.redisUrl,
    DATA_DIR: env.dataDir,
    ...LIFTED_VECTOR_RATE_LIMITS,
    ...overrides,
  });
  return startVectorApi(config, { logger: createLogger({ name: 'vector-api', level: 'silent' }) });
}
