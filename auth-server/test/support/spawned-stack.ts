import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../../../scripts/lib/service-process.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { adminTokenIn, spawnedEnv } from './spawned-env.ts';
import { useSuiteParts } from './suite-parts.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface SpawnedStack {
  issuer: string;
  adminUrl: string;
  vectorUrl: string;
  dataDir: string;
  /** The admin token the auth server made in DATA_DIR. */
  adminToken: string;
  env: NodeJS.ProcessEnv;
  services: { auth: ServiceProcess; vector: ServiceProcess };
  restart(name: 'auth' | 'vector'): Promise<void>;
  stop(): Promise<void>;
}

/** Both services as real processes (`node <service>/src/main.ts`), as `npm start` runs them. */
export async function startSpawnedStack(extraEnv: Record<string, string> = {}): Promise<SpawnedStack> {
  const [authPort, adminPort, vectorPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://localhost:${authPort}`;
  const vectorUrl = `http://localhost:${vectorPort}`;
  const env = spawnedEnv({
    ISSUER: issuer,
    AUTH_PORT: String(authPort),
    ADMIN_PORT: String(adminPort),
    VECTOR_PORT: String(vectorPort),
    VECTOR_API_URL: vectorUrl,
    ...extraEnv,
  });
  const dataDir = env.DATA_DIR;
  const scripts = { auth: 'auth-server/src/main.ts', vector: 'vector-api/src/main.ts' } as const;
  const readyUrl = { auth: `${issuer}/readyz`, vector: `${vectorUrl}/readyz` } as const;
  const services = {} as { auth: ServiceProcess; vector: ServiceProcess };
  const launch = async (name: 'auth' | 'vector') => {
    services[name] = spawnNode(name, resolve(ROOT, scripts[name]), env);
    await waitUntilReady(readyUrl[name], services[name]);
  };
  const stopAll = () => Promise.all(Object.values(services).map((s) => s.stop()));
  try {
    await launch('auth');
    await launch('vector');
  } catch (err) {
    await stopAll(); // a vector API that cannot start leaves no auth server behind
    throw err;
  }
  return {
    issuer,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    vectorUrl,
    dataDir,
    adminToken: adminTokenIn(dataDir),
    env,
    services,
    async restart(name) {
      await services[name].stop();
      await launch(name);
    },
    async stop() {
      await stopAll();
    },
  };
}

export interface SpawnedStackFixture {
  readonly stack: SpawnedStack;
  /** The SMTP sink the auth server sends to, when asked for. */
  readonly sink: SmtpSink;
}

/** startSpawnedStack for the calling `describe` (mocha hooks), with an SMTP sink if `smtp`. */
export function useSpawnedStack(
  options: { smtp?: boolean; env?: Record<string, string> } = {},
): SpawnedStackFixture {
  const parts = useSuiteParts<SpawnedStackFixture>('useSpawnedStack', async ({ keep }) => {
    const env = { ...options.env };
    if (options.smtp) env.SMTP_URL = keep('sink', await startSmtpSink(), (s) => s.close()).url;
    keep('stack', await startSpawnedStack(env), (s) => s.stop());
  });
  return {
    get stack() {
      return parts.get('stack');
    },
    get sink() {
      return parts.get('sink');
    },
  };
}
