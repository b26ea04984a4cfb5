import { randomBytes, randomUUID } from 'node:crypto';
import { loadVectorApiConfig, runVectorApiMigrations, startVectorApi } from '../../src/index.ts';
import { requireTestEnv } from './test-env.ts';
import { startTestIssuer, type TestIssuer, type TokenOptions } from './test-issuer.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected field by field
  body: any;
  text: string;
}

export interface Harness {
  issuer: TestIssuer;
  url: string;
  env: Record<string, string>;
  /** A fresh principal's token with every vector scope unless told otherwise. */
  token(options?: TokenOptions): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const AUDIENCE = 'http://vector-api.test';

/** A real vector API on 127.0.0.1:0 against the runner's Postgres and Redis, plus a test issuer. */
export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const { databaseUrl, redisUrl } = requireTestEnv();
  const issuer = await startTestIssuer(AUDIENCE);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    VECTOR_PORT: '0',
    VECTOR_API_URL: AUDIENCE,
    ISSUER: issuer.issuer,
    JWKS_URI: issuer.jwksUri,
    VECTOR_DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    ...overrides,
  };
  const config = loadVectorApiConfig(env);
  await runVectorApiMigrations(config);
  let running = await startVectorApi(config);
  const harness: Harness = {
    issuer,
    url: running.url,
    env,
    token: (options = {}) => issuer.sign({ sub: `principal-${randomUUID()}`, ...options }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.raw;
      if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${harness.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (e.g. /docs)
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async restart() {
      await running.close();
      running = await startVectorApi(config);
      harness.url = running.url;
    },
    async close() {
      await running.close();
      await issuer.close();
    },
  };
  return harness;
}
