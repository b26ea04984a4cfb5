import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { HttpClient } from '../http-client.ts';
import { type LoadOptions, type LoadResult, mergeResults, runLoad } from '../load.ts';

export type ResourceMode = 'plain' | 'revocation' | 'ratelimit' | 'dpop' | 'apikey';

/** The headers of each request of a run against one mode's server (made before the run is timed). */
export type RequestHeaders = (
  mode: ResourceMode,
  url: string,
  count: number,
) => Promise<(i: number) => Record<string, string>>;

/**
 * Authenticated requests per second against a resource server of the shared library in its own
 * process, with one layer more in each mode: JWT verification only, + the revocation check (one
 * Redis MGET), + a per-principal rate limit (one Redis script). Same token, same load. Every mode's
 * server runs from the start; the modes are measured in the order given, then in reverse (each
 * with half the count), so that a drift in the machine's load weighs on all of them alike.
 */
export async function benchResourceLayers(
  http: HttpClient,
  options: { issuer: string; audience: string; redisUrl: string; token: string },
  modes: readonly ResourceMode[],
  load: LoadOptions,
  requestHeaders: RequestHeaders = async () => () => ({ authorization: `Bearer ${options.token}` }),
): Promise<Map<ResourceMode, LoadResult>> {
  const servers = new Map<ResourceMode, { child: ChildProcess; url: string }>();
  try {
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
      servers.set(mode, { child, url: '' });
      const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      servers.set(mode, { child, url: line.toString().trim() });
    }
    const half = { ...load, count: Math.ceil(load.count / 2) };
    const runs = new Map<ResourceMode, LoadResult[]>(modes.map((m) => [m, []]));
    for (const mode of [...modes, ...modes.toReversed()]) {
      const { url } = servers.get(mode) as { url: string };
      const headers = await requestHeaders(mode, url, half.count + half.warmup);
      let sent = 0;
      const result = await runLoad(half, async () => {
        const res = await http.send('GET', `${url}/whoami`, { headers: headers(sent++) });
        if (res.status !== 200) throw new Error(`resource server (${mode}) answered ${res.status}`);
      });
      runs.get(mode)?.push(result);
    }
    return new Map(modes.map((m) => [m, mergeResults(runs.get(m) ?? [])]));
  } finally {
    for (const { child } of servers.values()) {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  }
}
