import { createRevocationStore } from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

/** The verified-token cache skips the signature check of a token seen before, never its revocation. */
describe('vector-api: a remembered token is still checked for revocation on every request', () => {
  let h: Harness;
  let redis: Redis;
  before(async () => {
    h = await startHarness();
    redis = new Redis(h.env.REDIS_URL as string);
  });
  after(async () => {
    await redis?.quit();
    await h?.close();
  });
  const list = (token: string) => h.call('GET', '/v1/collections', { token });

  it('refuses a token revoked by jti after it was used (and so remembered)', async () => {
    const token = await h.token({ scope: 'vectors:read' });
    expect((await list(token)).status).to.equal(200);
    expect((await list(token)).status).to.equal(200);
    const { jti, exp } = decodeJwt(token);
    await createRevocationStore(redis).revokeToken(jti as string, exp as number);
    const res = await list(token);
    expect(res.status).to.equal(401);
    expect(res.body.message).to.equal('the access token has been revoked');
  });

  it('refuses every remembered token of a revoked key (rv:kid)', async () => {
    const token = await h.token({ scope: 'vectors:read' });
    expect((await list(token)).status).to.equal(200);
    await createRevocationStore(redis).revokeKey(h.issuer.kid, Date.now() + 60_000);
    try {
      expect((await list(token)).status).to.equal(401);
    } finally {
      await redis.del(`rv:kid:${h.issuer.kid}`);
    }
  });
});
