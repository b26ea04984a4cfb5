import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import { type RedisTopology, redisCli, startRedisCluster } from '../../../../scripts/lib/redis-topologies.ts';
import {
  kidsOfNotice,
  publishKeySetNotice,
  subscribeKeySetNotices,
} from '../../../src/auth/key-set-notices.ts';
import { createRequestChecks } from '../../../src/auth/request-checks.ts';
import { createRevocationStore } from '../../../src/auth/revocation-store.ts';
import { createPrincipalEventStream } from '../../../src/events/principal-event-stream.ts';
import { parsePrincipalEvent, publishPrincipalDeleted } from '../../../src/events/principal-events.ts';
import { createRateLimiter } from '../../../src/http/rate-limiter.ts';
import { defineBatchedRedisScript } from '../../../src/redis/batched-redis-script.ts';
import { CLUSTER_KEY_PREFIX, closeRedis, createRedis, type Redis } from '../../../src/redis/create-redis.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { testClaims } from '../../support/test-claims.ts';
import { waitFor } from '../../support/wait-for.ts';

const newContext = (): Context => {
  const req = new IncomingMessage(new Socket());
  return new Koa().createContext(req, new ServerResponse(req));
};

/**
 * The Redis protocol of both services (revocation, rate limits, request checks, principal events,
 * key-set notices) on a real three-master Redis Cluster reached by `redis+cluster://` seed nodes.
 */
describe('Redis Cluster: the services’ Redis protocol on three masters', function () {
  this.timeout(60_000);
  const logger = silentLogger('redis-cluster-test');
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  let cluster: RedisTopology;
  const clients: Redis[] = [];
  const connect = async (name: string) => {
    const redis = createRedis(cluster.url, name, logger);
    clients.push(redis);
    await waitFor(`${name} to be ready`, () => redis.status === 'ready');
    return redis;
  };
  let redis: Redis;

  before(async () => {
    cluster = await startRedisCluster(dir);
    redis = await connect('cluster-test');
  });
  after(async () => {
    for (const client of clients) await closeRedis(client);
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('revokes by jti, by marks and by key, and answers in one script', async () => {
    const store = createRevocationStore(redis);
    const token = testClaims({ kid: `kid-${randomUUID()}` });
    expect(await store.isRevoked(token)).to.equal(false);
    await store.revokeToken(token.jti, token.exp);
    expect(await store.isRevoked(token)).to.equal(true);
    for (const scope of ['grant', 'sub', 'client'] as const) {
      const before = testClaims({ issuedAtMs: Date.now() - 5 });
      const id =
        scope === 'grant' ? (before.grantId as string) : scope === 'sub' ? before.sub : before.clientId;
      await store.revokeIssuedBefore(scope, id, Date.now(), 600);
      expect(await store.isRevoked(before), scope).to.equal(true);
      expect(await store.isRevoked({ ...before, jti: randomUUID(), issuedAtMs: Date.now() + 5 })).to.equal(
        false,
      );
    }
    const signed = testClaims({ kid: `kid-${randomUUID()}` });
    await store.revokeKey(signed.kid as string, Date.now() + 60_000);
    expect(await store.isRevoked(signed)).to.equal(true);
  });

  it('counts a rate limit and runs the batched request checks across many calls at once', async () => {
    const limiter = createRateLimiter(redis, { windowMs: 60_000 });
    const bucket = `test:${randomUUID()}`;
    const allowed = [];
    for (let i = 0; i < 4; i++) allowed.push((await limiter.check(newContext(), bucket, 3)).allowed);
    expect(allowed).to.deep.equal([true, true, true, false]);

    const revocations = createRevocationStore(redis);
    const checks = createRequestChecks(redis, { revocations, limiter });
    const revoked = testClaims();
    await revocations.revokeToken(revoked.jti, revoked.exp);
    const version = `cv:${randomUUID()}`;
    await redis.set(version, '7');
    // Many requests' checks in flight together travel as one script over keys of every kind.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        checks.run(newContext(), i === 0 ? revoked : testClaims(), {
          limit: { bucket: `vec:${randomUUID()}`, max: 10 },
          reads: [version],
          once: { key: `dpop:${randomUUID()}`, ttlMs: 60_000 },
        }),
      ),
    );
    expect(results[0]?.revoked).to.equal(true);
    expect(results.slice(1).every((r) => !r.revoked && r.limit?.allowed && r.reads[0] === '7')).to.equal(
      true,
    );

    const append = defineBatchedRedisScript(
      redis,
      'clusterAppend',
      "local function perCall(KEYS, ARGV) return redis.call('RPUSH', KEYS[1], ARGV[1]) end",
    );
    const list = `list:${randomUUID()}`;
    const places = await Promise.all(Array.from({ length: 30 }, (_, i) => append([list], [String(i)])));
    expect([...places].sort((a, b) => Number(a) - Number(b))).to.deep.equal(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('carries principal events through a stream and its consumer group', async () => {
    const reader = await connect('cluster-events');
    const stream = createPrincipalEventStream({
      redis: reader,
      group: `group-${randomUUID()}`,
      consumer: 'one',
      count: 10,
    });
    await stream.ensureGroup();
    await stream.ensureGroup(); // BUSYGROUP is no failure
    const sub = `user-${randomUUID()}`;
    await publishPrincipalDeleted(redis, sub);
    const entries = await stream.readNew(500);
    const events = entries.map(([, fields]) => parsePrincipalEvent(fields));
    expect(events.some((e) => e?.sub === sub)).to.equal(true);
    for (const [id] of entries) await stream.acknowledge(id);
    expect(await stream.readOwnPending()).to.deep.equal([]);
  });

  it('delivers key-set notices to a subscriber on another connection', async () => {
    const subscriber = await connect('cluster-notices');
    const seen: string[][] = [];
    subscribeKeySetNotices(subscriber, (kids) => seen.push(kids));
    const kid = `kid-${randomUUID()}`;
    // A subscription takes effect asynchronously: publish until one arrives.
    await waitFor('a key-set notice', async () => {
      await publishKeySetNotice(redis, [kid]);
      return seen.some((kids) => kids.includes(kid));
    });
    expect(kidsOfNotice(JSON.stringify({ at: 1, kids: [kid] }))).to.deep.equal([kid]);
  });

  it('keeps every key of ours in one hash slot, under the cluster tag', async () => {
    const perNode = await Promise.all(
      cluster.nodes.map(async (node) => (await redisCli(node.port, 'KEYS', '*')).split('\n').filter(Boolean)),
    );
    const all = perNode.flat();
    expect(all.length).to.be.greaterThan(10);
    expect(
      all.every((k) => k.startsWith(CLUSTER_KEY_PREFIX)),
      all.join(' '),
    ).to.equal(true);
    expect(perNode.filter((keys) => keys.length > 0)).to.have.length(1);
  });
});
