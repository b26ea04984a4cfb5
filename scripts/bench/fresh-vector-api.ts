import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../lib/service-process.ts';
import type { HttpClient } from './http-client.ts';

/** What a scenario over one large collection gets from the bench (cold load, ANN). */
export interface LargeCollectionOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  http: HttpClient;
  token: string;
  principal: string;
  count: number;
  dimension: number;
  log: (line: string) => void;
}

/**
 * A fresh vector-api process (vector-api/src/main.ts, empty caches) on a free port, over the
 * bench's databases with `dataDir` as its DATA_DIR and the stack's master keys; pushed onto
 * `started` so the scenario stops it whatever happens.
 */
export async function startFreshVectorApi(
  options: { root: string; env: NodeJS.ProcessEnv; dataDir: string; masterKeys: readonly string[] },
  name: string,
  started: ServiceProcess[],
  extraEnv: Record<string, string> = {},
): Promise<{ service: ServiceProcess; url: string }> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const service = spawnNode(name, resolve(options.root, 'vector-api/src/main.ts'), {
    ...options.env,
    VECTOR_PORT: String(port),
    DATA_DIR: options.dataDir,
    MASTER_KEY: options.masterKeys.join(','), // the stack's (its development key lives in its DATA_DIR)
    ...extraEnv,
  });
  started.push(service);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/readyz`, service);
  return { service, url };
}
