import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '@vectorauth/shared';

const run = promisify(execFile);

/** A certificate and key for 127.0.0.1 and the CA that signed them: the nodes then speak only TLS. */
export interface RedisTls {
  cert: string;
  key: string;
  ca: string;
}

/** TLS on `port` instead of plain TCP (Sentinel included), between the nodes too. */
const tlsArgs = (port: number, tls: RedisTls | undefined): string[] =>
  tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        tls.cert,
        '--tls-key-file',
        tls.key,
      ].concat(['--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--tls-replication', 'yes'])
    : [];

/** One `redis-server` child of a topology, stoppable and killable on its own. */
export interface RedisNode {
  port: number;
  /** SIGKILL: the node dies as in a crash (a failover test). */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Starts a stopped or killed node again, on the same port with the same arguments. */
  restart(): Promise<RedisNode>;
}

export interface RedisTopology {
  /** The REDIS_URL of the topology (`redis+cluster://…` or `redis+sentinel://…/name`). */
  url: string;
  nodes: RedisNode[];
  stop(): Promise<void>;
}

/** TLS settings of the nodes on each port a topology started with TLS (for `redisCli`). */
const tlsByPort = new Map<number, RedisTls>();
const cliTls = (port: number): string[] => {
  const tls = tlsByPort.get(port);
  return tls ? ['--tls', '--cacert', tls.ca] : [];
};

/** Answers of `redis-cli -p port args…`, trimmed; throws when redis-cli fails. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', [...cliTls(port), '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout.trim();
}

/** `redis-server` in the foreground on loopback `port`, its files in `dir`, no RDB snapshots. */
export const redisServerArgs = (port: number, dir: string, appendOnly: boolean): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--appendonly',
  appendOnly ? 'yes' : 'no',
  '--save',
  '',
  '--daemonize',
  'no',
];

async function startNode(
  dir: string,
  port: number,
  extra: string[],
  sentinel = false,
  tls?: RedisTls,
): Promise<RedisNode> {
  mkdirSync(dir, { recursive: true });
  if (tls) tlsByPort.set(port, tls);
  const args = sentinel ? [join(dir, 'sentinel.conf'), '--sentinel'] : [];
  const node = [...redisServerArgs(port, dir, false), ...tlsArgs(port, tls)];
  const child: ChildProcess = spawn('redis-server', [...args, ...node, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited at start`);
    if ((await redisCli(port, 'PING').catch(() => '')) === 'PONG') break;
    if (i > 100) throw new Error(`redis-server on ${port} did not answer within 10 s`);
    await sleep(100);
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    port,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    restart: () => startNode(dir, port, extra, sentinel, tls),
  };
}

async function stopAll(nodes: RedisNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
}

/**
 * A Redis Cluster of `masters` masters (no replicas) on free ports, created with
 * `redis-cli --cluster create`, answered once every node says `cluster_state:ok`.
 */
export async function startRedisCluster(
  dataDir: string,
  masters = 3,
  tls?: RedisTls,
): Promise<RedisTopology> {
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      nodes.push(
        await startNode(
          join(dataDir, `cluster-${port}`),
          port,
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
            // The bus port is otherwise port + 10000, which nobody checked was free.
            '--cluster-port',
            String(await freePort()),
            ...(tls ? ['--tls-cluster', 'yes'] : []),
          ],
          false,
          tls,
        ),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    const create = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
    await run('redis-cli', [...cliTls(nodes[0]?.port ?? 0), ...create], { timeout: 30_000 });
    for (let i = 0; ; i++) {
      const states = await Promise.all(nodes.map((n) => redisCli(n.port, 'CLUSTER', 'INFO')));
      if (states.every((s) => s.includes('cluster_state:ok'))) break;
      if (i > 600) throw new Error('the Redis Cluster did not reach cluster_state:ok within 60 s');
      await sleep(100);
    }
    const scheme = tls ? 'rediss+cluster' : 'redis+cluster';
    return { url: `${scheme}://${addresses.join(',')}`, nodes, stop: () => stopAll(nodes) };
  } catch (err) {
    await stopAll(nodes);
    throw err;
  }
}

/**
 * A master, one replica and one Sentinel watching them as `name` (quorum 1, a master down after
 * 1 s): the smallest set that fails over. `nodes` is [master, replica, sentinel].
 */
export async function startRedisSentinel(
  dataDir: string,
  name = 'vectorauth',
  tls?: RedisTls,
): Promise<RedisTopology> {
  const nodes: RedisNode[] = [];
  try {
    const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
    nodes.push(await startNode(join(dataDir, `sentinel-master-${masterPort}`), masterPort, [], false, tls));
    nodes.push(
      await startNode(
        join(dataDir, `sentinel-replica-${replicaPort}`),
        replicaPort,
        ['--replicaof', '127.0.0.1', String(masterPort)],
        false,
        tls,
      ),
    );
    const sentinelDir = join(dataDir, `sentinel-${sentinelPort}`);
    mkdirSync(sentinelDir, { recursive: true });
    writeFileSync(
      join(sentinelDir, 'sentinel.conf'),
      [
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    nodes.push(await startNode(sentinelDir, sentinelPort, [], true, tls));
    // The replica is in sync and the Sentinel knows it: a failover can promote it.
    for (let i = 0; ; i++) {
      const replicas = await redisCli(sentinelPort, 'SENTINEL', 'REPLICAS', name).catch(() => '');
      const link = await redisCli(replicaPort, 'INFO', 'replication');
      if (replicas.includes(String(replicaPort)) && link.includes('master_link_status:up')) break;
      if (i > 300) throw new Error('the Sentinel did not see the replica within 30 s');
      await sleep(100);
    }
    return {
      url: `${tls ? 'rediss' : 'redis'}+sentinel://127.0.0.1:${sentinelPort}/${name}`,
      nodes,
      stop: () => stopAll(nodes),
    };
  } catch (err) {
    await stopAll(nodes);
    throw err;
  }
}
