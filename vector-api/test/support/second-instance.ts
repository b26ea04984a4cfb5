import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type ApiResponse, apiCall, type CallOptions, type Harness } from './vector-api-harness.ts';
import { spawnVectorApi, type VectorApiProcess } from './vector-api-process.ts';

export interface SecondInstance {
  url: string;
  dataDir: string;
  process: VectorApiProcess;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

/**
 * Another vector API process on the same database, Redis, issuer and master key as `first`, with
 * its own DATA_DIR: what a second instance behind a load balancer is.
 */
export async function startSecondInstance(
  first: Harness,
  overrides: Record<string, string> = {},
): Promise<SecondInstance> {
  const dataDir = join(first.dataDir, '..', `second-${randomUUID()}`);
  const proc = await spawnVectorApi({ ...first.env, LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...overrides });
  return {
    url: proc.url,
    dataDir,
    process: proc,
    call: (method, path, options) => apiCall(proc.url, method, path, options),
    close: () => proc.stop(),
  };
}
