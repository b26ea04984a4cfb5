import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import Koa, { type Context } from 'koa';
import type { AccessTokenClaims } from '../../../src/auth/access-token-claims.ts';
import { createRequestChecks, type RequestChecks } from '../../../src/auth/request-checks.ts';
import { createRevocationStore, type RevocationStore } from '../../../src/auth/revocation-store.ts';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { createRateLimiter, type RateLimiter } from '../../../src/http/rate-limiter.ts';
import { redisCommandsNaming } from '../../support/redis-commands.ts';
import { testClaims, unreachableRedis } from '../../support/test-claims.ts';

const newContext = (): Context => {
  const req = new IncomingMessage(new Socket());
  return new Koa().createContext(req, new ServerResponse(req));
};

let redis: Redis;

describe('request checks: revocation, rate limit and reads in one command (real Redis)', () => {
  let revocations: RevocationStore;
  let limiter: RateLimiter;
  let checks: RequestChecks;
  before(() => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    redis = new Redis(process.env.REDIS_URL);
    revocations = createRevocationStore(redis);
    limiter = createRateLimiter(redis, { windowMs: 60_000 });
    checks = createRequestChecks(redis, { revocations, limiter });
  });
  after(() => redis.quit());

  // Issued a moment before any mark the test sets.
  const claims = (over: Partial<AccessTokenClaims> = {}) =>
    testClaims({ issuedAtMs: Date.now() - 5, ...over });

  it('answers the revocation, the count and the reads with one command to Redis', async () => {
    const token = claims();
    const readKey = `test:read:${token.sub}`;
    await redis.set(readKey, '42');
    const ctx = newContext();
    let result: Awaited<ReturnType<RequestChecks['run']>> | undefined;
    const sent = await redisCommandsNaming(String(process.env.REDIS_URL), token.sub, async () => {
      result = await checks.run(ctx, token, {
        limit: { bucket: `test:${token.sub}`, max: 2 },
        reads: [readKey, `test:absent:${token.sub}`],
      });
    });
    expect(sent, JSON.stringify(sent)).to.have.length(1);
    expect(sent[0]?.[0]?.toLowerCase()).to.be.oneOf(['evalsha', 'eval']);
    expect(result).to.deep.equal({
      revoked: false,
      replayed: false,
      limit: { allowed: true, retryAfter: 0, remaining: 1 },
      reads: ['42', null],
    });
    expect(ctx.response.get('RateLimit-Limit')).to.equal('2');
    expect(ctx.response.get('RateLimit-Remaining')).to.equal('1');
  });

  it('counts like the rate limiter alone, in the same bucket: the limit is one limit', async () => {
    const token = claims();
    const bucket = `test:${token.sub}`;
    expect((await checks.run(newContext(), token, { limit: { bucket, max: 2 } })).limit?.allowed).to.equal(
      true,
    );
    expect((await limiter.check(newContext(), bucket, 2)).allowed).to.equal(true);
    const ctx = newContext();
    const refused = await checks.run(ctx, token, { limit: { bucket, max: 2 } });
    expect(refused.limit?.allowed).to.equal(false);
    expect(refused.limit?.retryAfter).to.be.within(59, 60);
    expect(ctx.response.get('Retry-After')).to.equal(String(refused.limit?.retryAfter));
  });

  for (const how of ['jti', 'sub mark', 'client mark', 'grant mark', 'kid'] as const) {
    it(`a token revoked by ${how} is revoked and spends nothing of its principal's limit`, async () => {
      const token = claims({ kid: `kid-${randomUUID()}` });
      if (how === 'jti') await revocations.revokeToken(token.jti, token.exp);
      if (how === 'kid') await revocations.revokeKey(token.kid!, Date.now() + 60_000);
      if (how === 'sub mark') await revocations.revokeIssuedBefore('sub', token.sub, Date.now(), 600);
      if (how === 'client mark')
        await revocations.revokeIssuedBefore('client', token.clientId, Date.now(), 600);
      if (how === 'grant mark')
        await revocations.revokeIssuedBefore('grant', token.grantId!, Date.now(), 600);
      const bucket = `test:${token.sub}`;
      const ctx = newContext();
      for (let i = 0; i < 3; i++) {
        const result = await checks.run(ctx, token, { limit: { bucket, max: 1 } });
        expect(result).to.deep.equal({ revoked: true, replayed: false, reads: [] });
      }
      expect(ctx.response.get('RateLimit-Limit'), 'no rate headers on a revoked token').to.equal(undefined);
      expect(await redis.exists(limiter.key(bucket)), 'nothing counted').to.equal(0);
      expect(await revocations.isRevoked(token), 'the store agrees').to.equal(true);
    });
  }

  it('a token issued after a mark is not revoked by it', async () => {
    const mark = Date.now();
    const token = claims({ issuedAtMs: mark + 1 });
    await revocations.revokeIssuedBefore('sub', token.sub, mark, 600);
    expect((await checks.run(newContext(), token)).revoked).to.equal(false);
  });

  it('a once key (a DPoP proof jti) passes the first time, is replayed after, and a replay spends nothing', async () => {
    const token = claims();
    const bucket = `test:${token.sub}`;
    const once = { key: `test:once:${token.sub}`, ttlMs: 60_000 };
    const first = await checks.run(newContext(), token, { limit: { bucket, max: 5 }, once });
    expect(first).to.include({ revoked: false, replayed: false });
    expect(first.limit?.allowed).to.equal(true);
    const pttl = await redis.pttl(once.key);
    expect(pttl, 'remembered for its ttl').to.be.within(50_000, 60_000);
    const ctx = newContext();
    const again = await checks.run(ctx, token, { limit: { bucket, max: 5 }, once });
    expect(again).to.deep.equal({ revoked: false, replayed: true, reads: [] });
    expect(ctx.response.get('RateLimit-Limit'), 'a replay is not counted').to.equal(undefined);
    const next = newContext();
    await checks.run(next, token, { limit: { bucket, max: 5 }, once: { ...once, key: `${once.key}:2` } });
    expect(next.response.get('RateLimit-Remaining'), 'two counted: the first and this one').to.equal('3');
  });

  it('a revoked token does not spend a once key: the same proof is not remembered', async () => {
    const token = claims();
    await revocations.revokeToken(token.jti, Math.floor(Date.now() / 1000) + 600);
    const once = { key: `test:once:${token.sub}`, ttlMs: 60_000 };
    expect(await checks.run(newContext(), token, { once })).to.deep.equal({
      revoked: true,
      replayed: false,
      reads: [],
    });
    expect(await redis.exists(once.key)).to.equal(0);
  });

  it('fails closed: a Redis that cannot be asked is a 503 naming redis', async () => {
    const down = unreachableRedis();
    try {
      const offline = createRequestChecks(down, {
        revocations: createRevocationStore(down),
        limiter: createRateLimiter(down, { windowMs: 60_000 }),
      });
      const err = await offline.run(newContext(), claims(), { limit: { bucket: 'x', max: 1 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ServiceUnavailableError);
      expect(err).to.include({ status: 503, dependency: 'redis' });
    } finally {
      down.disconnect();
    }
  });
});
