import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { loadAuthServerConfig } from '@vectorauth/auth-server';
import { runNode } from '../lib/service-process.ts';
import type { HttpClient } from './http-client.ts';
import { spawnReady } from './spawn-ready.ts';
import { distinctFreePorts } from './stack.ts';

export interface AuthServerProcess {
  /** Public and admin base URLs, on 127.0.0.1. */
  authUrl: string;
  adminUrl: string;
  adminToken: string;
  databaseUrl: string;
  pid: number;
  /** A client-credentials client made through the admin API. */
  createClient(http: HttpClient, scope: string): Promise<{ client_id: string; client_secret: string }>;
  stop(): Promise<void>;
}

/**
 * One more auth-server (auth-server/src/main.ts) on its own database, migrated first, with the
 * stack's Redis and master key, on free ports: for comparing the same service over different data.
 */
export async function startAuthServerProcess(options: {
  root: string;
  /** The stack's environment. */
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  dataDir: string;
  name: string;
}): Promise<AuthServerProcess> {
  const { root } = options;
  const [authPort, adminPort] = await distinctFreePorts(2);
  const adminToken = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    AUTH_PORT: String(authPort),
    ADMIN_PORT: String(adminPort),
    ADMIN_TOKEN: adminToken,
    ISSUER: `http://localhost:${authPort}`,
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    // The stack's (its development key lives in the stack's DATA_DIR), so seeded secrets open alike.
    MASTER_KEY: loadAuthServerConfig(options.env).masterKeys.join(','),
  };
  await runNode(resolve(root, 'auth-server/src/migrate.ts'), env);
  const authUrl = `http://127.0.0.1:${authPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const service = await spawnReady(
    options.name,
    resolve(root, 'auth-server/src/main.ts'),
    env,
    `${authUrl}/readyz`,
  );
  return {
    authUrl,
    adminUrl,
    adminToken,
    databaseUrl: options.databaseUrl,
    pid: service.child.pid ?? 0,
    createClient: (http, scope) =>
      http.json('POST', `${adminUrl}/admin/clients`, 201, {
        headers: { authorization: `Bearer ${adminToken}` },
        body: { client_name: 'bench', grant_types: ['client_credentials'], scope },
      }),
    stop: () => service.stop(),
  };
}
