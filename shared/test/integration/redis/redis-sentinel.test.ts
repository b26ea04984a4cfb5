import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  type RedisTopology,
  redisCli,
  startRedisSentinel,
} from '../../../../scripts/lib/redis-topologies.ts';
import { createRevocationStore } from '../../../src/auth/revocation-store.ts';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { closeRedis, createRedis, type Redis } from '../../../src/redis/create-redis.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { testClaims } from '../../support/test-claims.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * A Sentinel failover under a resource server's revocation checks: while the master is gone every
 * check fails closed (503), never "not revoked"; after the replica is promoted, every revocation
 * acknowledged before the crash is there, because each waited for the replica (WAIT); with no
 * replica left, a revocation is refused rather than acknowledged where a second failover could
 * lose it, until the old master returns as a replica.
 */
describe('Redis Sentinel: a failover mid-traffic loses no acknowledged revocation', function () {
  this.timeout(90_000);
  const logger = silentLogger('redis-sentinel-test');
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  let set: RedisTopology;
  let redis: Redis;

  before(async () => {
    set = await startRedisSentinel(dir);
    redis = createRedis(set.url, 'sentinel-test', logger);
    await waitFor('the Sentinel-found master to be ready', () => redis.status === 'ready');
  });
  after(async () => {
    if (redis) await closeRedis(redis);
    await set?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails closed during the failover and keeps every revocation acknowledged before it', async () => {
    const [master, replica] = set.nodes as [RedisTopology['nodes'][0], RedisTopology['nodes'][0]];
    const store = createRevocationStore(redis, { replicas: 1 });
    const revoked = Array.from({ length: 20 }, () => testClaims());
    for (const token of revoked) await store.revokeToken(token.jti, token.exp);
    const marked = testClaims({ issuedAtMs: Date.now() - 5 });
    await store.revokeIssuedBefore('sub', marked.sub, Date.now(), 600);
    const unrevoked = testClaims();

    await master.kill();

    // Checks keep coming while the Sentinel notices, promotes the replica and the client follows.
    let refused = 0;
    const answers: string[] = [];
    await waitFor(
      'the promoted replica to answer',
      async () => {
        try {
          const [first, mark, fresh] = await Promise.all([
            store.isRevoked(revoked[0] as (typeof revoked)[0]),
            store.isRevoked(marked),
            store.isRevoked(unrevoked),
          ]);
          answers.push(`${first}/${mark}/${fresh}`);
          return first && mark && !fresh;
        } catch (err) {
          expect(err).to.be.instanceOf(ServiceUnavailableError);
          refused++;
          return false;
        }
      },
      60_000,
    );
    // Never "not revoked" for a revoked token while it lasted; 503s while the master was away.
    expect(answers.filter((a) => a !== 'true/true/false')).to.deep.equal([]);
    expect(refused).to.be.greaterThan(0);
    expect(await redisCli(replica.port, 'ROLE')).to.match(/^master/);
    for (const token of revoked) expect(await store.isRevoked(token)).to.equal(true);

    // The promoted master has no replica: a new revocation is refused, not acknowledged.
    const later = testClaims();
    let refusedWrite: unknown;
    try {
      await store.revokeToken(later.jti, later.exp);
    } catch (err) {
      refusedWrite = err;
    }
    expect(String(refusedWrite)).to.contain('0 of 1 replicas');

    // The old master comes back; the Sentinel makes it a replica, and revocations go through again.
    set.nodes[0] = await master.restart();
    await waitFor(
      'a revocation to reach the returned replica',
      async () => {
        try {
          await store.revokeToken(later.jti, later.exp);
          return true;
        } catch {
          return false;
        }
      },
      60_000,
    );
    expect(await store.isRevoked(later)).to.equal(true);
    expect(await redisCli(master.port, 'ROLE')).to.match(/^slave/);
  });
});
