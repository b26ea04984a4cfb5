import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../../../scripts/lib/service-process.ts';
import { testEnv } from './test-env.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface SpawnedStack {
  issuer: string;
  adminUrl: string;
  vectorUrl: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  services: { auth: ServiceProcess; vector: ServiceProcess };
  restart(name: 'auth' | 'vector'): Promise<void>;
  stop(): Promise<void>;
}

/** Both services as real processes (`node <service>/src/main.ts`), as `npm start` runs them. */
export async function startSpawnedStack(extraEnv: Record<string, string> = {}): Promise<SpawnedStack> {
  const base = testEnv();
  // Same DATA_DIR as the in-process tests: the same development master key opens the same keys.
  const dataDir = resolve(base.dataDir);
  const [authPort, adminPort, vectorPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://localhost:${authPort}`;
  const vectorUrl = `http://localhost:${vectorPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: base.databaseUrl,
    VECTOR_DATABASE_URL: base.vectorDatabaseUrl,
    REDIS_URL: base.redisUrl,
    ISSUER: issuer,
    AUTH_PORT: String(authPort),
    ADMIN_PORT: String(adminPort),
    VECTOR_PORT: String(vectorPort),
    VECTOR_API_URL: vectorUrl,
    ...extraEnv,
  };
  const scripts = { auth: 'auth-server/src/main.ts', vector: 'vector-api/src/main.ts' } as const;
  const readyUrl = { auth: `${issuer}/readyz`, vector: `${vectorUrl}/readyz` } as const;
  const services = {} as { auth: ServiceProcess; vector: ServiceProcess };
  const launch = async (name: 'auth' | 'vector') => {
    services[name] = spawnNode(name, resolve(ROOT, scripts[name]), env);
    await waitUntilReady(readyUrl[name], services[name]);
  };
  await launch('auth');
  await launch('vector');
  return {
    issuer,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    vectorUrl,
    dataDir,
    env,
    services,
    async restart(name) {
      await services[name].stop();
      await launch(name);
    },
    async stop() {
      await Promise.all(Object.values(services).map((s) => s.stop()));
    },
  };
}
