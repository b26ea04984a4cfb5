import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@vectorauth/shared';
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
  /** This instance's DATA_DIR (snapshots), its own unless one was given. */
  dataDir: string;
  /** A fresh principal's token with every vector scope unless told otherwise. */
  token(options?: TokenOptions): Promise<string>;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** Creates collection `name` (l2) for `token` and upserts `vectors` into it: the upsert's answer. */
  seed(token: string, name: string, dimension: number, vectors: unknown[]): Promise<ApiResponse>;
  /** Stops and starts the API again (empty caches), optionally with changed environment. */
  restart(overrides?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

const AUDIENCE = 'http://vector-api.test';

export interface CallOptions {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** One request to a vector API at `baseUrl`, with the answer parsed when it is JSON. */
export async function apiCall(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. /docs)
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A real vector API on 127.0.0.1:0 against the runner's Postgres and Redis, plus a test issuer. */
export async function startHarness(
  overrides: Record<string, string> = {},
  options: { issuer?: TestIssuer; logger?: Logger } = {},
): Promise<Harness> {
  const { databaseUrl, redisUrl } = requireTestEnv();
  const issuer = options.issuer ?? (await startTestIssuer(AUDIENCE));
  const ownIssuer = !options.issuer;
  let env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.HARNESS_LOG_LEVEL ?? 'silent',
    VECTOR_PORT: '0',
    VECTOR_API_URL: AUDIENCE,
    ISSUER: issuer.issuer,
    JWKS_URI: issuer.jwksUri,
    VECTOR_DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: join(process.env.DATA_DIR ?? tmpdir(), 'vector-api', randomUUID()),
    // Tests share one Redis: the limit stays out of the way except in its own test.
    VECTOR_RATE_LIMIT: '1000000',
    ...overrides,
  };
  let config = loadVectorApiConfig(env);
  await runVectorApiMigrations(config);
  let running = await startVectorApi(config, { logger: options.logger });
  const harness: Harness = {
    issuer,
    url: running.url,
    env,
    dataDir: config.dataDir,
    token: (options = {}) => issuer.sign({ sub: `principal-${randomUUID()}`, ...options }),
    call: (method, path, options = {}) => apiCall(harness.url, method, path, options),
    async seed(token, name, dimension, vectors) {
      await harness.call('POST', '/v1/collections', { token, body: { name, dimension, metric: 'l2' } });
      return harness.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    },
    async restart(changes = {}) {
      await running.close();
      env = { ...env, ...changes };
      config = loadVectorApiConfig(env);
      harness.env = env;
      running = await startVectorApi(config, { logger: options.logger });
      harness.url = running.url;
    },
    async close() {
      await running.close();
      if (ownIssuer) await issuer.close();
    },
  };
  return harness;
}
