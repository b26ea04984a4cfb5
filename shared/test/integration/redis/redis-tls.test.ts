import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import {
  type RedisTls,
  type RedisTopology,
  startRedisCluster,
  startRedisSentinel,
} from '../../../../scripts/lib/redis-topologies.ts';

const run = promisify(execFile);
const PROBE = resolve(import.meta.dirname, '../../support/redis-tls-probe.ts');

/** A CA and a certificate for 127.0.0.1 it signed, made with openssl in `dir`. */
async function certificates(dir: string): Promise<RedisTls> {
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=test ca',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('redis.key'),
    '-out',
    at('redis.csr'),
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(at('ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    at('redis.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('redis.crt'),
    '-days',
    '2',
    '-extfile',
    at('ext'),
  );
  return { cert: at('redis.crt'), key: at('redis.key'), ca: at('ca.crt') };
}

/** What the probe said, run as a service would run: trusting the CA through NODE_EXTRA_CA_CERTS. */
async function probe(url: string, ca: string): Promise<string> {
  const { stdout } = await run(process.execPath, [PROBE, url], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    timeout: 30_000,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err) }));
  return stdout.trim();
}

/** The `rediss` forms of REDIS_URL against Redis nodes (and a Sentinel) that speak only TLS. */
describe('REDIS_URL over TLS: rediss://, rediss+cluster://, rediss+sentinel://', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  let tls: RedisTls;
  const topologies: RedisTopology[] = [];
  before(async () => {
    tls = await certificates(dir);
  });
  after(async () => {
    for (const t of topologies) await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches a Sentinel set and its master, and the master on its own', async () => {
    const set = await startRedisSentinel(join(dir, 'sentinel'), 'tlsmaster', tls);
    topologies.push(set);
    expect(set.url).to.match(/^rediss\+sentinel:/);
    expect(await probe(set.url, tls.ca)).to.equal('ok');
    expect(await probe(`rediss://127.0.0.1:${set.nodes[0]?.port}`, tls.ca)).to.equal('ok');
    // Without the CA, the certificate is refused: TLS is really checked.
    expect(await probe(`rediss://127.0.0.1:${set.nodes[0]?.port}`, join(dir, 'missing.crt'))).not.to.equal(
      'ok',
    );
  });

  it('reaches a Cluster whose nodes speak TLS to clients and to each other', async () => {
    const cluster = await startRedisCluster(join(dir, 'cluster'), 3, tls);
    topologies.push(cluster);
    expect(cluster.url).to.match(/^rediss\+cluster:/);
    expect(await probe(cluster.url, tls.ca)).to.equal('ok');
  });
});
