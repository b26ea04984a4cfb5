import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { startBackingServices } from '../lib/backing-services.ts';
import { runNode, type ServiceProcess, spawnNode, waitUntilReady } from '../lib/service-process.ts';

export interface BenchStack {
  /** As the services know themselves (token `iss` and `aud`). */
  issuer: string;
  vectorApiUrl: string;
  /** The same, on 127.0.0.1, for sending load. */
  authUrl: string;
  adminUrl: string;
  vectorUrl: string;
  adminToken: string;
  /** The service processes (for their memory): auth-server, vector-api. */
  processes: { name: string; pid: number }[];
  /** The environment the services run with (also good for a baseline child process). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Our services as `npm start` runs them, each in its own process: backing services under
 * `dataDir` (fresh `auth_bench` and `vector_bench` databases unless URLs are given), both
 * migrations, auth-server and vector-api on free ports, ready on /readyz.
 */
export async function startBenchStack(options: {
  root: string;
  dataDir: string;
  log: (line: string) => void;
}): Promise<BenchStack> {
  const { root, dataDir, log } = options;
  const backing = await startBackingServices({
    dataDir,
    env: process.env,
    databases: { auth: 'auth_bench', vector: 'vector_bench' },
    fresh: true,
    log,
  });
  const services: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
    await backing.stop();
  };
  try {
    const runDir = resolve(dataDir, 'run');
    rmSync(runDir, { recursive: true, force: true });
    const [authPort, adminPort, vectorPort] = await distinctFreePorts(3);
    const issuer = `http://localhost:${authPort}`;
    const vectorApiUrl = `http://localhost:${vectorPort}`;
    const adminToken = randomBytes(32).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_PORT: String(authPort),
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_TOKEN: adminToken,
      VECTOR_PORT: String(vectorPort),
      ISSUER: issuer,
      VECTOR_API_URL: vectorApiUrl,
      DATA_DIR: runDir,
      DATABASE_URL: backing.databaseUrl,
      VECTOR_DATABASE_URL: backing.vectorDatabaseUrl,
      REDIS_URL: backing.redisUrl,
      ...benchRateLimits(process.env),
    };
    log('migrating');
    await runNode(resolve(root, 'auth-server/src/migrate.ts'), env);
    await runNode(resolve(root, 'vector-api/src/migrate.ts'), env);
    const auth = spawnNode('auth-server', resolve(root, 'auth-server/src/main.ts'), env);
    services.push(auth);
    const vector = spawnNode('vector-api', resolve(root, 'vector-api/src/main.ts'), env);
    services.push(vector);
    const authUrl = `http://127.0.0.1:${authPort}`;
    const vectorUrl = `http://127.0.0.1:${vectorPort}`;
    await waitUntilReady(`${authUrl}/readyz`, auth);
    await waitUntilReady(`${vectorUrl}/readyz`, vector);
    log(`auth-server ${issuer}, vector-api ${vectorApiUrl}: ready`);
    return {
      issuer,
      vectorApiUrl,
      authUrl,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      vectorUrl,
      adminToken,
      processes: services.map((s) => ({ name: s.name, pid: s.child.pid ?? 0 })),
      env,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * The bench asks one client for thousands of tokens a second on purpose, one principal searches
 * thousands of times and one address signs in many times: those limits only are lifted (unless
 * the caller's environment sets them).
 */
export function benchRateLimits(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    RATE_LIMIT_OAUTH_PER_CLIENT: env.RATE_LIMIT_OAUTH_PER_CLIENT ?? '1000000',
    VECTOR_RATE_LIMIT: env.VECTOR_RATE_LIMIT ?? '1000000',
    RATE_LIMIT_FORMS_PER_IP: env.RATE_LIMIT_FORMS_PER_IP ?? '1000000',
  };
}
