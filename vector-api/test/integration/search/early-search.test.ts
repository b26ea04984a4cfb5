import { randomUUID } from 'node:crypto';
import { createRevocationStore } from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { metricValue } from '../../../../shared/test/support/wait-for.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

/**
 * A search (or count) by a token whose checks passed lately starts on the cached collection row
 * while the token's Redis round trip is in flight: the answer is the checked one, a stale row is
 * searched again, a refusal answers instead. Real Redis, Postgres, FAISS, two instances.
 */
describe('searches started before their token checks answer', function () {
  this.timeout(60_000);
  let a: Harness;
  let b: SecondInstance;
  let redis: Redis;
  before(async () => {
    a = await startHarness();
    b = await startSecondInstance(a);
    redis = new Redis(a.env.REDIS_URL as string);
  });
  after(async () => {
    await redis?.quit();
    await b?.close();
    await a?.close();
  });

  type Instance = Harness | SecondInstance;
  const early = async (h: Instance) => {
    const text = (await h.call('GET', '/metrics')).text;
    const of = (outcome: string) => metricValue(text, `vector_early_work_total{outcome="${outcome}"}`);
    return { kept: of('kept'), redone: of('redone'), refused: of('refused') };
  };
  const search = (h: Instance, token: string, name: string, vector: number[]) =>
    h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector, k: 10 } });
  const ids = (res: { body: { results: { id: string }[] } }) => res.body.results.map((r) => r.id).sort();
  const upsert = async (h: Instance, token: string, name: string, vectors: unknown[]) => {
    const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(res.status, res.text).to.equal(200);
  };

  it('a trusted token: its searches and counts start early and answer what a checked one answers', async () => {
    const token = await a.token();
    expect((await a.seed(token, 'docs', 2, [{ id: 'x', vector: [0, 0] }])).status).to.equal(200);
    const first = await search(a, token, 'docs', [0, 0]); // checked first: the row is cached after
    const before = await early(a);
    const again = await search(a, token, 'docs', [0, 0]);
    const counted = await a.call('POST', '/v1/collections/docs/count', { token, body: {} });
    const after = await early(a);
    expect(again.body).to.deep.equal(first.body);
    expect(counted.body).to.deep.equal({ count: 1 });
    expect(after.kept - before.kept, 'the search and the count both started early').to.equal(2);
    expect(again.headers.get('ratelimit-remaining'), 'the limit is counted as before').to.match(/^\d+$/);
  });

  it('a row made stale by a write on the other instance is searched again: the write is seen', async () => {
    const token = await a.token();
    expect((await a.seed(token, 'docs', 2, [{ id: 'a', vector: [0, 0] }])).status).to.equal(200);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a']);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a']);
    const before = await early(b);
    await upsert(a, token, 'docs', [{ id: 'b', vector: [1, 1] }]);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a', 'b']);
    expect((await early(b)).redone - before.redone).to.equal(1);

    // Deleted and made again with another dimension there: the old row's early search is not the answer.
    expect((await a.call('DELETE', '/v1/collections/docs', { token })).status).to.equal(204);
    const res = await a.call('POST', '/v1/collections', {
      token,
      body: { name: 'docs', dimension: 3, metric: 'l2' },
    });
    expect(res.status).to.equal(201);
    await upsert(a, token, 'docs', [{ id: 'c', vector: [0, 0, 0] }]);
    expect((await search(b, token, 'docs', [0, 0])).status, 'the old dimension').to.equal(400);
    expect(ids(await search(b, token, 'docs', [0, 0, 0]))).to.deep.equal(['c']);
  });

  it('a token revoked after it was trusted: the early search is thrown away, the answer is 401 without results', async () => {
    const token = await a.token();
    expect((await a.seed(token, 'docs', 2, [{ id: 'x', vector: [0, 0] }])).status).to.equal(200);
    expect((await search(a, token, 'docs', [0, 0])).status).to.equal(200);
    const before = await early(a);
    const { jti, exp } = decodeJwt(token);
    await createRevocationStore(redis).revokeToken(jti as string, exp as number);
    const refused = await search(a, token, 'docs', [0, 0]);
    expect(refused.status).to.equal(401);
    expect(refused.body).to.deep.equal({
      error: 'invalid_token',
      message: 'the access token has been revoked',
    });
    expect(refused.headers.get('www-authenticate')).to.match(/^Bearer .*error="invalid_token"/);
    expect((await early(a)).refused - before.refused).to.equal(1);
    // Checked first from now on: no more work for it.
    expect((await search(a, token, 'docs', [0, 0])).status).to.equal(401);
    expect((await early(a)).refused - before.refused).to.equal(1);
  });

  it('a collection deleted on the other instance: the early search drops what this one held of it', async () => {
    const db = await connectTestDatabase();
    try {
      const token = await a.token();
      expect((await a.seed(token, 'gone', 2, [{ id: 'x', vector: [0, 0] }])).status).to.equal(200);
      expect(ids(await search(a, token, 'gone', [0, 0]))).to.deep.equal(['x']); // a holds its index
      const [found] = await db.query('select * from collection where name = $1 and principal = $2', [
        'gone',
        decodeJwt(token).sub,
      ]);
      const row = found as Record<string, unknown>;
      expect((await b.call('DELETE', '/v1/collections/gone', { token })).status).to.equal(204);
      expect((await search(a, token, 'gone', [0, 0])).status).to.equal(404);
      // The row comes back (a backup restored), with the same id and version but without its
      // vectors: what a answers must come from the rows, not from an index of the deleted one.
      await db.query(
        'insert into collection (id, principal, name, dimension, metric, version, purged_seq) values ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.principal, row.name, row.dimension, row.metric, row.version, row.purged_seq],
      );
      expect(ids(await search(a, token, 'gone', [0, 0]))).to.deep.equal([]);
    } finally {
      await db.close();
    }
  });

  it("another principal's token never reaches a row cached for someone else", async () => {
    const owner = await a.token({ sub: `owner-${randomUUID()}` });
    expect((await a.seed(owner, 'private', 2, [{ id: 'secret', vector: [0, 0] }])).status).to.equal(200);
    expect((await search(a, owner, 'private', [0, 0])).status).to.equal(200);
    const stranger = await a.token({ sub: `stranger-${randomUUID()}` });
    await a.call('GET', '/v1/collections', { token: stranger }); // trusted from now on
    const res = await search(a, stranger, 'private', [0, 0]);
    expect(res.status).to.equal(404);
    expect(res.text).to.not.contain('secret');
  });
});
