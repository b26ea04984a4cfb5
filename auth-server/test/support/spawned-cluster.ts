import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../../../scripts/lib/service-process.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { adminTokenIn, spawnedEnv } from './spawned-env.ts';
import { useSuiteParts } from './suite-parts.ts';

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
  /** The admin token the auth servers share (made in DATA_DIR). */
  adminToken: string;
  /** A JSON call to auth instance `i`'s admin API with the admin token. */
  admin(i: number, method: string, path: string, body?: unknown): Promise<Response>;
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
  const authPorts = await Promise.all(Array.from({ length: counts.auth }, () => freePort()));
  const vectorPorts = await Promise.all(Array.from({ length: counts.vector }, () => freePort()));
  const issuer = `http://localhost:${authPorts[0]}`;
  const audience = `http://localhost:${vectorPorts[0]}`;
  const common = spawnedEnv({ ISSUER: issuer, VECTOR_API_URL: audience, ...extraEnv });
  const dataDir = common.DATA_DIR;
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
  const adminToken = adminTokenIn(dataDir);
  const admin = (i: number, method: string, path: string, body?: unknown) =>
    fetch(`${auth[i]!.adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  return { issuer, audience, dataDir, auth, vector, adminToken, admin, stop };
}

export interface SpawnedClusterFixture {
  readonly cluster: SpawnedCluster;
  /** The SMTP sink the auth servers send to, when asked for. */
  readonly sink: SmtpSink;
}

/** startSpawnedCluster for the calling `describe` (mocha hooks), with an SMTP sink if `smtp`. */
export function useSpawnedCluster(
  counts: { auth: number; vector: number },
  options: { smtp?: boolean; env?: Record<string, string> } = {},
): SpawnedClusterFixture {
  const parts = useSuiteParts<SpawnedClusterFixture>('useSpawnedCluster', async ({ keep }) => {
    const env = { ...options.env };
    if (options.smtp) env.SMTP_URL = keep('sink', await startSmtpSink(), (s) => s.close()).url;
    keep('cluster', await startSpawnedCluster(counts, env), (c) => c.stop());
  });
  return {
    get cluster() {
      return parts.get('cluster');
    },
    get sink() {
      return parts.get('sink');
    },
  };
}
