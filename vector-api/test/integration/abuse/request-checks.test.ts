import { randomUUID } from 'node:crypto';
import { createRevocationStore } from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { redisCommandsNaming } from '../../../../shared/test/support/redis-commands.ts';
import { requireTestEnv } from '../../support/test-env.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string; exp: number };

/**
 * A v1 request asks Redis once (revocation marks and the rate limit's count in one script), and
 * answers in this order: revoked 401, missing scope 403, spent limit 429. Only requests with an
 * unrevoked token carrying the route's scope are counted.
 */
describe('vector-api: token checks in one Redis round trip', () => {
  expectLogLines([
    { service: 'vector-api', level: 'warn', msg: 'rate limit hit' },
    { service: 'vector-api', level: 'warn', msg: 'permission denied' },
  ]);
  let h: Harness;
  let redis: Redis;
  const list = (token: string) => h.call('GET', '/v1/collections', { token });
  const revoke = (token: string) => {
    const { jti, exp } = claimsOf(token);
    return createRevocationStore(redis).revokeToken(jti, exp);
  };

  before(async () => {
    redis = new Redis(requireTestEnv().redisUrl);
    h = await startHarness({ VECTOR_RATE_LIMIT: '2' });
  });
  after(async () => {
    await h?.close();
    await redis?.quit();
  });

  it('answers a revoked token 401, even when it lacks the scope and its limit is spent', async () => {
    const sub = `principal-${randomUUID()}`;
    const token = await h.token({ sub });
    expect((await list(token)).status).to.equal(200);
    expect((await list(token)).status).to.equal(200);
    expect((await list(token)).status, 'the limit is spent').to.equal(429);
    await revoke(token);
    const revoked = await list(token);
    expect(revoked.status).to.equal(401);
    expect(revoked.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    expect(revoked.headers.get('ratelimit-limit'), 'no rate headers for a revoked token').to.equal(null);

    const narrow = await h.token({ sub, scope: 'vectors:write' });
    await revoke(narrow);
    expect((await list(narrow)).status, 'revoked and without vectors:read').to.equal(401);
  });

  it('answers a token without the scope 403 before the limit, and does not count it', async () => {
    const sub = `principal-${randomUUID()}`;
    // Another app of the same person, allowed to write only: its refused reads spend nothing.
    const writer = await h.token({ sub, scope: 'vectors:write' });
    for (let i = 0; i < 3; i++) {
      const refused = await list(writer);
      expect(refused.status).to.equal(403);
      expect(refused.headers.get('www-authenticate')).to.contain('error="insufficient_scope"');
    }
    const reader = await h.token({ sub });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await list(reader)).status);
    expect(statuses, "the principal's whole read budget is left").to.deep.equal([200, 200, 429]);
    expect((await list(writer)).status, 'no scope is 403, whatever the limit').to.equal(403);
  });

  it('does not count requests with a revoked token (a stolen token cannot spend its owner’s limit)', async () => {
    const sub = `principal-${randomUUID()}`;
    const stolen = await h.token({ sub });
    await revoke(stolen);
    for (let i = 0; i < 5; i++) expect((await list(stolen)).status).to.equal(401);
    const owner = await h.token({ sub });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await list(owner)).status);
    expect(statuses).to.deep.equal([200, 200, 429]);
  });

  it('sends one command to Redis per request', async () => {
    const sub = `principal-${randomUUID()}`;
    const token = await h.token({ sub });
    const sent = await redisCommandsNaming(requireTestEnv().redisUrl, sub, async () => {
      expect((await list(token)).status).to.equal(200);
      expect((await list(token)).status).to.equal(200);
    });
    expect(sent, JSON.stringify(sent)).to.have.length(2);
    // EVAL the first time on a connection (ioredis loads the script), EVALSHA after.
    for (const args of sent) expect(args[0]?.toLowerCase()).to.be.oneOf(['evalsha', 'eval']);
  });

  it('reads a cached collection’s published version in that same command (a search asks Redis once)', async () => {
    const sub = `principal-${randomUUID()}`;
    const token = await h.token({ sub, scope: 'vectors:read vectors:write' });
    const name = 'one-trip';
    const created = await h.call('POST', '/v1/collections', {
      token,
      body: { name, dimension: 3, metric: 'l2' },
    });
    expect(created.status).to.equal(201);
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: [{ id: 'a', vector: [1, 0, 0] }] },
    });
    expect(put.status).to.equal(200);
    const search = () =>
      h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector: [1, 0, 0], k: 1 } });
    expect((await search()).status, 'the first search caches the row').to.equal(200);
    // Every command naming the principal or any collection version key (`cv:<collection id>`).
    const sent = await redisCommandsNaming(requireTestEnv().redisUrl, [sub, 'cv:'], async () => {
      const res = await search();
      expect(res.status).to.equal(200);
      expect((res.body as { results: { id: string }[] }).results[0]?.id).to.equal('a');
    });
    expect(sent, JSON.stringify(sent)).to.have.length(1);
    expect(sent[0]?.[0]?.toLowerCase()).to.be.oneOf(['evalsha', 'eval']);
    expect(
      sent[0]?.some((arg) => arg.startsWith('cv:')),
      'the version key is read by the checks script',
    ).to.equal(true);
  });
});

describe('vector-api: token checks fail closed', () => {
  expectLogLines([
    { service: 'vector-api', level: 'warn', msg: 'redis connection problem' },
    { service: 'vector-api', level: 'warn', msg: 'redis unavailable' },
  ]);
  let h: Harness;
  before(async () => {
    // port 1 on loopback: nothing listens there, connections are refused at once
    h = await startHarness({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(() => h?.close());

  it('answers 503 naming redis when Redis cannot answer, never the request', async () => {
    const res = await h.call('GET', '/v1/collections', { token: await h.token() });
    expect(res.status).to.equal(503);
    expect(res.body).to.include({ error: 'service_unavailable' });
  });
});
