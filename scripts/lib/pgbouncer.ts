import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import pg from 'pg';

export interface PgBouncer {
  port: number;
  /** `url` (a Postgres URL behind it) rewritten to go through this PgBouncer, marked `?pgbouncer=true`. */
  through(url: string): string;
  stop(): Promise<void>;
}

/** The uid and gid of a system user (PgBouncer refuses to run as root). */
function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A PgBouncer in transaction mode in front of the Postgres of `postgresUrl` (any database name,
 * the server's own credentials), as operators run it before a fleet: each transaction may get a
 * different server connection. Server connections get the services' default statement and lock
 * timeouts (`connect_query`): PgBouncer does not pass them on as startup parameters.
 */
export async function startPgBouncer(options: {
  dir: string;
  postgresUrl: string;
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  poolSize?: number;
}): Promise<PgBouncer> {
  const target = new URL(options.postgresUrl);
  const port = await freePort();
  mkdirSync(options.dir, { recursive: true });
  const ini = join(options.dir, 'pgbouncer.ini');
  const timeouts = `SET statement_timeout = ${options.statementTimeoutMs ?? 5000}; SET lock_timeout = ${options.lockTimeoutMs ?? 2000}`;
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432} user=${decodeURIComponent(target.username)}${target.password ? ` password=${decodeURIComponent(target.password)}` : ''} connect_query='${timeouts}'`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      'auth_type = any',
      `admin_users = ${decodeURIComponent(target.username)}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'ignore_startup_parameters = extra_float_digits',
      'log_connections = 0',
      'log_disconnections = 0',
      `logfile = ${join(options.dir, 'pgbouncer.log')}`,
      `pidfile = ${join(options.dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  chmodSync(ini, 0o600);
  const user = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (process.getuid?.() === 0 && !user)
    throw new Error('PgBouncer will not run as root, and there is no postgres user');
  if (user) {
    chownSync(options.dir, user.uid, user.gid);
    chownSync(ini, user.uid, user.gid);
  }
  // Its log is the file in `dir`; quiet on the terminal.
  const child: ChildProcess = spawn('pgbouncer', ['--quiet', ini], {
    stdio: ['ignore', 'ignore', 'ignore'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const through = (url: string) => {
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    via.searchParams.set('pgbouncer', 'true');
    return via.toString();
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(`pgbouncer exited at start (see ${options.dir}/pgbouncer.log)`);
    const direct = new URL(through(options.postgresUrl));
    direct.searchParams.delete('pgbouncer');
    const probe = new pg.Client({ connectionString: direct.toString() });
    const up = await probe.connect().then(
      () => true,
      () => false,
    );
    await probe.end().catch(() => undefined);
    if (up) break;
    if (i > 100) throw new Error('pgbouncer did not answer within 10 s');
    await sleep(100);
  }
  return {
    port,
    through,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
