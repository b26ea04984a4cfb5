import { randomUUID } from 'node:crypto';
import { createLogger, freePort, type Logger } from '@vectorauth/shared';
import {
  type AuthServerConfig,
  loadAuthServerConfig,
  type RunningAuthServer,
  startAuthServer,
} from '../../src/index.ts';
import { LIFTED_AUTH_RATE_LIMITS } from './lifted-rate-limits.ts';
import { testEnv } from './test-env.ts';

export interface TestAuthServer extends RunningAuthServer {
  config: AuthServerConfig;
  admin(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  createClient(metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret: string }>;
  /** An initial access token for dynamic registration (RFC 7591), valid for an hour. */
  initialAccessToken(): Promise<string>;
  clientCredentialsToken(
    client: { client_id: string; client_secret: string },
    params?: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/**
 * A real auth server (Postgres, Redis) on free loopback ports, with the test runner's databases
 * and the rate limits lifted (`overrides` may set them); its log is silent unless a `logger` is given. Admin calls carry a fresh X-Request-Id.
 */
export async function startTestAuthServer(
  overrides: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TestAuthServer> {
  const env = testEnv();
  const authPort = overrides.AUTH_PORT ?? String(await freePort());
  const config = loadAuthServerConfig({
    NODE_ENV: 'test',
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    DATA_DIR: env.dataDir,
    AUTH_PORT: authPort,
    ADMIN_PORT: String(await freePort()),
    VECTOR_API_URL: 'http://localhost:4999',
    BCRYPT_COST: '4',
    ...LIFTED_AUTH_RATE_LIMITS,
    ...overrides,
  });
  const running = await startAuthServer(config, {
    logger: options.logger ?? createLogger({ name: 'auth-server', level: 'silent' }),
  });
  const admin = (method: string, path: string, body?: unknown, token = config.admin.token) =>
    fetch(`${running.adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': `admin-${randomUUID()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    ...running,
    config,
    admin,
    async createClient(metadata) {
      const res = await admin('POST', '/admin/clients', metadata);
      if (res.status !== 201) throw new Error(`client creation failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { client_id: string; client_secret: string };
    },
    async initialAccessToken() {
      const res = await admin('POST', '/admin/initial-access-tokens', { expires_in: 3600 });
      if (res.status !== 201)
        throw new Error(`initial access token failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { initial_access_token: string }).initial_access_token;
    },
    clientCredentialsToken(client, params = {}, headers = {}) {
      return fetch(`${running.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
      });
    },
  };
}
