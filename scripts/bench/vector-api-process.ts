import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { loadVectorApiConfig } from '@vectorauth/vector-api';
import { spawnReady } from './spawn-ready.ts';

export interface VectorApiProcess {
  /** Where to send load, on 127.0.0.1. */
  vectorUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * One more vector-api (vector-api/src/main.ts) on the stack's database, Redis, master key and token
 * audience, with its own port and DATA_DIR and the given extra settings (e.g. VECTOR_CACHE_MB).
 */
export async function startVectorApiProcess(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  name: string;
  settings: Record<string, string>;
}): Promise<VectorApiProcess> {
  const port = await freePort();
  const vectorUrl = `http://127.0.0.1:${port}`;
  const service = await spawnReady(
    options.name,
    resolve(options.root, 'vector-api/src/main.ts'),
    {
      ...options.env,
      ...options.settings,
      VECTOR_PORT: String(port),
      // Keep the audience: tokens are issued for the stack's vector API URL.
      VECTOR_API_URL: options.env.VECTOR_API_URL,
      DATA_DIR: options.dataDir,
      MASTER_KEY: loadVectorApiConfig(options.env).masterKeys.join(','),
    },
    `${vectorUrl}/readyz`,
  );
  return { vectorUrl, pid: service.child.pid ?? 0, stop: () => service.stop() };
}
