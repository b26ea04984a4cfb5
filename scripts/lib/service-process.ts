import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs `node <script>` with `env`, prefixing nothing: services already log JSON lines. */
export function spawnNode(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  quiet = false,
): ServiceProcess {
  // BENCH_CPU_PROFILE=<dir>: each service writes a V8 CPU profile there when it exits.
  const profileDir = env.BENCH_CPU_PROFILE;
  const profile = profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawn(process.execPath, [...profile, script], {
    env,
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `node <script>` to completion; rejects on a non-zero exit. `onSpawn` sees the child (to stop it). */
export async function runNode(
  script: string,
  env: NodeJS.ProcessEnv,
  onSpawn?: (p: ServiceProcess) => void,
): Promise<void> {
  const p = spawnNode(script, script, env);
  onSpawn?.(p);
  const code = await p.exited;
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
}

/** Polls `url` until it answers 200, the process dies, or `timeoutMs` passes. */
export async function waitUntilReady(
  url: string,
  service: ServiceProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited during start-up`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}
