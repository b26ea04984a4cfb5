import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createRevocationStore } from '../../../src/auth/revocation-store.ts';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { testClaims, unreachableRedis } from '../../support/test-claims.ts';

describe('revocation store (real Redis)', () => {
  let redis: Redis;
  before(() => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    redis = new Redis(process.env.REDIS_URL);
  });
  after(() => redis.quit());

  const claims = testClaims;

  it('denies a token by jti until it expires', async () => {
    const store = createRevocationStore(redis);
    const token = claims();
    expect(await store.isRevoked(token)).to.equal(false);
    await store.revokeToken(token.jti, token.exp);
    expect(await store.isRevoked(token)).to.equal(true);
    const ttl = await redis.pttl(`rv:jti:${token.jti}`);
    expect(ttl).to.be.greaterThan(590_000).and.at.most(661_000);
  });

  for (const scope of ['grant', 'sub', 'client'] as const) {
    it(`denies tokens of a ${scope} issued before the mark, not after`, async () => {
      const store = createRevocationStore(redis);
      const before = claims({ issuedAtMs: Date.now() - 5 });
      const id = scope === 'grant' ? before.grantId! : scope === 'sub' ? before.sub : before.clientId;
      await store.revokeIssuedBefore(scope, id, Date.now(), 600);
      const after = { ...before, jti: randomUUID(), issuedAtMs: Date.now() + 5 };
      expect(await store.isRevoked(before)).to.equal(true);
      expect(await store.isRevoked(after)).to.equal(false);
    });
  }

  it("denies every token signed by a revoked kid, in the same round trip, and no other key's", async () => {
    const store = createRevocationStore(redis);
    const kid = `kid-${randomUUID()}`;
    const signed = claims({ kid });
    const other = claims({ kid: `kid-${randomUUID()}` });
    expect(await store.isRevoked(signed)).to.equal(false);
    await store.revokeKey(kid, Date.now() + 60_000);
    expect(await store.isRevoked(signed)).to.equal(true);
    expect(await store.isRevoked({ ...signed, jti: randomUUID(), sub: `sub-${randomUUID()}` })).to.equal(
      true,
    );
    expect(await store.isRevoked(other)).to.equal(false);
    expect(await redis.pttl(`rv:kid:${kid}`))
      .to.be.greaterThan(50_000)
      .and.at.most(60_000);
  });

  it('never moves a mark backwards', async () => {
    const store = createRevocationStore(redis);
    const sub = `sub-${randomUUID()}`;
    const now = Date.now();
    await store.revokeIssuedBefore('sub', sub, now, 600);
    await store.revokeIssuedBefore('sub', sub, now - 60_000, 600);
    expect(Number(await redis.get(`rv:sub:${sub}`))).to.equal(now);
  });

  it('without iat_ms, assumes the end of the iat second (never accepts a token revoked in its second)', async () => {
    const store = createRevocationStore(redis);
    const iat = Math.floor(Date.now() / 1000);
    const token = claims({ iat, issuedAtMs: undefined });
    await store.revokeIssuedBefore('sub', token.sub, iat * 1000 + 999, 600);
    expect(await store.isRevoked(token)).to.equal(true);
  });

  it('fails closed with 503 when Redis cannot be asked', async () => {
    const down = unreachableRedis();
    try {
      await createRevocationStore(down).isRevoked(claims());
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ServiceUnavailableError);
    } finally {
      down.disconnect();
    }
  });
});
