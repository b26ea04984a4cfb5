import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../../../scripts/lib/service-process.ts';
import { testEnv } from './test-env.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ClusterInstance {
  /** Where this instance listens (its public port); tokens still name the shared issuer / audience. */
  url: string;
  adminUrl?: string;
  process: ServiceProcess;
}

export interface SpawnedCluster {
  issuer: string;
  audience: string;
  dataDir: string;
  auth: ClusterInstance[];
  vector: ClusterInstance[];
  stop(): Promise<void>;
}

/**
 * Several auth-server and vector-api processes on one Postgres and one Redis, as behind a load
 * balancer: every auth instance uses the same ISSUER and every vector instance the same audience,
 * and vector instance i fetches keys from auth instance i (mod n).
 */
export async function startSpawnedCluster(
  counts: { auth: number; vector: number },
  extraEnv: Record<string, string> = {},
): Promise<SpawnedCluster> {
  const base = testEnv();
  const dataDir = resolve(base.dataDir);
  const authPorts = await Promise.all(Array.from({ length: counts.auth }, () => freePort()));
  const vectorPorts = await Promise.all(Array.from({ length: counts.vector }, () => freePort()));
  const issuer = `http://localhost:${authPorts[0]}`;
  const audience = `http://localhost:${vectorPorts[0]}`;
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: base.databaseUrl,
    VECTOR_DATABASE_URL: base.vectorDatabaseUrl,
    REDIS_URL: base.redisUrl,
    ISSUER: issuer,
    VECTOR_API_URL: audience,
    ...extraEnv,
  };
  const auth: ClusterInstance[] = [];
  const vector: ClusterInstance[] = [];
  const stop = async () => {
    await Promise.all([...auth, ...vector].map((i) => i.process.stop()));
  };
  try {
    for (const port of authPorts) {
      const adminPort = await freePort();
      const proc = spawnNode('auth', resolve(ROOT, 'auth-server/src/main.ts'), {
        ...common,
        AUTH_PORT: String(port),
        ADMIN_PORT: String(adminPort),
      });
      auth.push({
        url: `http://localhost:${port}`,
        adminUrl: `http://127.0.0.1:${adminPort}`,
        process: proc,
      });
      await waitUntilReady(`http://localhost:${port}/readyz`, proc);
    }
    for (const [i, port] of vectorPorts.entries()) {
      const jwks = `${auth[i % auth.length]!.url}/jwks`;
      const proc = spawnNode('vector', resolve(ROOT, 'vector-api/src/main.ts'), {
        ...common,
        VECTOR_PORT: String(port),
        JWKS_URI: jwks,
      });
      vector.push({ url: `http://localhost:${port}`, process: proc });
      await waitUntilReady(`http://localhost:${port}/readyz`, proc);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { issuer, audience, dataDir, auth, vector, stop };
}
