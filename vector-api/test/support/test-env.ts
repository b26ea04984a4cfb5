/** Connection URLs the test runner provides; a clear failure when they are missing. */
export function requireTestEnv(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.VECTOR_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  const missing = [!databaseUrl && 'VECTOR_DATABASE_URL', !redisUrl && 'REDIS_URL'].filter(Boolean);
  if (missing.length > 0 || !databaseUrl || !redisUrl) {
    throw new Error(
      `integration tests need ${missing.join(' and ')} in the environment, e.g. VECTOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/vector_dev_test REDIS_URL=redis://127.0.0.1:6379/1`,
    );
  }
  return { databaseUrl, redisUrl };
}
