import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { HttpClient } from '../http-client.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';

export type ResourceMode = 'plain' | 'revocation' | 'ratelimit';

/**
 * Authenticated requests per second against a resource server of the shared library in its own
 * process, with one layer more in each mode: JWT verification only, + the revocation check (one
 * Redis MGET), + a per-principal rate limit (one Redis script). Same token, same load.
 */
export async function benchResourceLayers(
  http: HttpClient,
  options: { issuer: string; audience: string; redisUrl: string; token: string },
  modes: readonly ResourceMode[],
  load: LoadOptions,
): Promise<Map<ResourceMode, LoadResult>> {
  const results = new Map<ResourceMode, LoadResult>();
  for (const mode of modes) {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../resource-server.ts')], {
      env: {
        ...process.env,
        ISSUER: options.issuer,
        AUDIENCE: options.audience,
        REDIS_URL: options.redisUrl,
        MODE: mode,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = line.toString().trim();
      const headers = { authorization: `Bearer ${options.token}` };
      results.set(
        mode,
        await runLoad(load, async () => {
          const res = await http.send('GET', `${url}/whoami`, { headers });
          if (res.status !== 200) throw new Error(`resource server (${mode}) answered ${res.status}`);
        }),
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  return results;
}
