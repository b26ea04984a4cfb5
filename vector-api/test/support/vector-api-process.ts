import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import { collectOutput } from '../../../shared/test/support/collect-output.ts';
import { REPO_ROOT } from './run-script.ts';

export interface VectorApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (JSON log lines). */
  output(): string;
  /** SIGKILL, no goodbye: what `kill -9` does. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * `node vector-api/src/main.ts` as a child process on a free port (or `port`), ready when
 * /healthz answers. Another process is what a second instance really is (and faiss-node allows
 * one index thread per process).
 */
export async function spawnVectorApi(
  env: Record<string, string>,
  options: { port?: number } = {},
): Promise<VectorApiProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'vector-api/src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      LOG_SINK_DIR: process.env.LOG_SINK_DIR,
      VECTOR_RATE_LIMIT: '1000000',
      ...env,
      VECTOR_HOST: '127.0.0.1',
      VECTOR_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`vector-api exited at start:\n${output()}`);
    }
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(500) })).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) {
      child.kill('SIGKILL');
      throw new Error(`vector-api did not start:\n${output()}`);
    }
    await sleep(50);
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    child,
    output,
    async kill9() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      await exited;
    },
  };
}
