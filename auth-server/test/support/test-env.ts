/** URLs the test runner (scripts/test.ts) provides; a clear failure when run without it. */
export function testEnv(): {
  databaseUrl: string;
  vectorDatabaseUrl: string;
  redisUrl: string;
  dataDir: string;
} {
  const { DATABASE_URL, VECTOR_DATABASE_URL, REDIS_URL, DATA_DIR } = process.env;
  if (!DATABASE_URL || !VECTOR_DATABASE_URL || !REDIS_URL) {
    throw new Error(
      'run tests through `npm test` (it provides DATABASE_URL, VECTOR_DATABASE_URL and REDIS_URL)',
    );
  }
  return {
    databaseUrl: DATABASE_URL,
    vectorDatabaseUrl: VECTOR_DATABASE_URL,
    redisUrl: REDIS_URL,
    dataDir: DATA_DIR ?? '.data/test/run',
  };
}
