import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import { type FleetServer, haproxyConfig } from './haproxy-config.ts';
import { type ServiceProcess, spawnNode, waitUntilReady } from './service-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPTS = {
  auth: resolve(ROOT, 'auth-server/src/main.ts'),
  vector: resolve(ROOT, 'vector-api/src/main.ts'),
};

export type FleetKind = 'auth' | 'vector';

export interface FleetInstance extends FleetServer {
  kind: FleetKind;
  /** Its own URL (behind the load balancer's back); auth instances also have an admin URL. */
  url: string;
  adminUrl?: string;
  process: ServiceProcess;
}

export interface Fleet {
  /** The load balancer's URLs: the issuer and the vector API's audience. */
  authUrl: string;
  vectorUrl: string;
  instances: FleetInstance[];
  /** Every process of the fleet by name (the instances and HAProxy), for whoever watches them. */
  processes(): { name: string; pid: number }[];
  /** Stops one instance (SIGTERM: it drains) and starts it again on its port, ready. */
  restart(instance: FleetInstance): Promise<void>;
  /** Stops one instance for good (SIGTERM). */
  stopInstance(instance: FleetInstance): Promise<void>;
  stop(): Promise<void>;
}

/**
 * N auth servers and N vector APIs on one Postgres and one Redis, behind one HAProxy
 * (haproxy-config.ts): every auth instance has the load balancer's URL as its issuer, every
 * vector instance the load balancer's vector URL as its audience and fetches keys through it.
 * `env` carries the databases, Redis and DATA_DIR; HAProxy's config and log go to `dir`.
 */
export async function startFleet(options: {
  counts: { auth: number; vector: number };
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Services' output: inherited, or dropped (`quiet`). */
  quiet?: boolean;
}): Promise<Fleet> {
  mkdirSync(options.dir, { recursive: true });
  const [authPort, vectorPort] = [await freePort(), await freePort()];
  const authUrl = `http://localhost:${authPort}`;
  const vectorUrl = `http://localhost:${vectorPort}`;
  const common: NodeJS.ProcessEnv = {
    ...options.env,
    ISSUER: authUrl,
    VECTOR_API_URL: vectorUrl,
    JWKS_URI: `${authUrl}/jwks`,
    // Behind HAProxy: the client's address is the one it appends to X-Forwarded-For.
    TRUST_PROXY: 'true',
  };
  // Every port first: HAProxy knows every server from the start and marks each up once it answers.
  const described: Omit<FleetInstance, 'process'>[] = [];
  for (const kind of ['auth', 'vector'] as const) {
    for (let i = 0; i < options.counts[kind]; i++) {
      const port = await freePort();
      described.push({
        kind,
        name: `${kind}${i + 1}`,
        host: '127.0.0.1',
        port,
        url: `http://127.0.0.1:${port}`,
        ...(kind === 'auth' ? { adminUrl: `http://127.0.0.1:${await freePort()}` } : {}),
      });
    }
  }
  const instances: FleetInstance[] = [];
  const spawnInstance = async (instance: Omit<FleetInstance, 'process'>): Promise<ServiceProcess> => {
    const env = {
      ...common,
      ...(instance.kind === 'auth'
        ? { AUTH_PORT: String(instance.port), ADMIN_PORT: new URL(instance.adminUrl as string).port }
        : { VECTOR_PORT: String(instance.port) }),
    };
    const proc = spawnNode(instance.name, SCRIPTS[instance.kind], env, options.quiet);
    await waitUntilReady(`${instance.url}/readyz`, proc);
    return proc;
  };
  const haproxy = startHaproxy(options.dir, authPort, vectorPort, described);
  const socket = join(options.dir, 'haproxy.sock');
  const stop = async () => {
    await Promise.all(instances.map((i) => i.process.stop()));
    await haproxy.stop();
  };
  try {
    // Auth first: the vector instances fetch keys through the load balancer from the start.
    for (const instance of described) {
      instances.push({ ...instance, process: await spawnInstance(instance) });
      if (instance.kind === 'auth') await waitUntilReady(`${authUrl}/readyz`, haproxy);
    }
    await waitUntilReady(`${vectorUrl}/readyz`, haproxy);
    // Every server up in HAProxy's eyes: until then a principal's requests would move when a
    // late server comes up (consistent hashing over the servers that are up).
    await allServersUp(socket, described.length);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    authUrl,
    vectorUrl,
    instances,
    processes: () => [
      ...instances.map((i) => ({ name: i.name, pid: i.process.child.pid ?? 0 })),
      { name: 'haproxy', pid: haproxy.child.pid ?? 0 },
    ],
    async restart(instance) {
      await instance.process.stop();
      instance.process = await spawnInstance(instance);
      // As a rolling deployment does: the next one only once HAProxy sends this one traffic again.
      await allServersUp(socket, instances.length);
    },
    stopInstance: (instance) => instance.process.stop(),
    stop,
  };
}

/** HAProxy in the foreground with the fleet's config, its log in `dir/haproxy.log`. */
function startHaproxy(
  dir: string,
  authPort: number,
  vectorPort: number,
  servers: readonly Omit<FleetInstance, 'process'>[],
): ServiceProcess {
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    haproxyConfig({
      bindHost: '127.0.0.1',
      authPort,
      vectorPort,
      statsSocket: join(dir, 'haproxy.sock'),
      auth: servers.filter((i) => i.kind === 'auth'),
      vector: servers.filter((i) => i.kind === 'vector'),
    }),
  );
  const log = openSync(join(dir, 'haproxy.log'), 'a');
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', log, log] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    name: 'haproxy',
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** HAProxy's `show stat` over its runtime API socket, as CSV rows (header names as keys). */
async function showStat(socket: string): Promise<Record<string, string>[]> {
  const text = await new Promise<string>((resolve, reject) => {
    const connection = createConnection(socket, () => connection.end('show stat\n'));
    let out = '';
    connection.on('data', (chunk) => {
      out += chunk.toString();
    });
    connection.on('end', () => resolve(out));
    connection.on('error', reject);
  });
  const [header = '', ...rows] = text.trim().split('\n');
  const names = header.replace(/^# /, '').split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i] ?? String(i), v])));
}

/** Resolves once HAProxy reports `count` servers, every one of them UP (60 s at most). */
async function allServersUp(socket: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const servers = (await showStat(socket).catch(() => [])).filter(
      (r) => r.svname !== 'FRONTEND' && r.svname !== 'BACKEND',
    );
    if (servers.length === count && servers.every((r) => r.status === 'UP')) return;
    if (Date.now() > deadline) {
      throw new Error(
        `HAProxy did not see every server up: ${servers.map((r) => `${r.svname} ${r.status}`).join(', ')}`,
      );
    }
    await sleep(100);
  }
}
