import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const DIMENSION = 4;
type Db = Awaited<ReturnType<typeof connectTestDatabase>>;

describe('quotas per principal: collections, vectors, stored bytes', function () {
  this.timeout(60_000);
  let h: Harness;
  let db: Db;
  before(async () => {
    db = await connectTestDatabase();
    h = await startHarness({
      VECTOR_QUOTA_COLLECTIONS: '2',
      VECTOR_QUOTA_VECTORS: '10',
      VECTOR_QUOTA_CLIENTS: 'big-client=collections:5/vectors:1000/mb:1',
    });
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  const vector = (i: number) => Array.from({ length: DIMENSION }, (_, j) => i + j / 10);
  const items = (ids: string[], metadata?: object) =>
    ids.map((id, i) => ({ id, vector: vector(i), ...(metadata ? { metadata } : {}) }));
  const create = (token: string, name: string) =>
    h.call('POST', '/v1/collections', { token, body: { name, dimension: DIMENSION, metric: 'l2' } });
  const put = (token: string, name: string, vectors: object[]) =>
    h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
  const usage = async (token: string) => (await h.call('GET', '/v1/usage', { token })).body;
  /** The bytes the principal's live payloads take in Postgres, summed there. */
  const storedBytes = async (sub: string) =>
    Number(
      (
        await db.query<{ bytes: string }>(
          `select coalesce(sum(octet_length(r.payload)), 0) as bytes
           from vector_record r join collection c on c.id = r.collection_id where c.principal = $1`,
          [sub],
        )
      )[0]?.bytes,
    );

  it('counts what a principal stores, and refuses a collection over the quota with nothing created', async () => {
    const sub = `quota-${randomUUID()}`;
    const token = await h.issuer.sign({ sub });
    expect(await usage(token)).to.deep.equal({
      collections: { used: 0, limit: 2 },
      vectors: { used: 0, limit: 10 },
      bytes: { used: 0, limit: 65_536 * 1024 * 1024 },
    });
    expect((await create(token, 'one')).status).to.equal(201);
    expect((await create(token, 'two')).status).to.equal(201);
    const refused = await create(token, 'three');
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.equal('quota_exceeded');
    expect(refused.body.message).to.match(/collections.*quota of 2.*in use: 2/);
    const list = await h.call('GET', '/v1/collections', { token });
    expect(list.body.collections.map((c: { name: string }) => c.name)).to.deep.equal(['one', 'two']);
    expect((await usage(token)).collections.used).to.equal(2);
  });

  it('refuses a batch that would pass the vector quota whole, counts replacements as no new vector', async () => {
    const sub = `quota-${randomUUID()}`;
    const token = await h.issuer.sign({ sub });
    expect((await create(token, 'c')).status).to.equal(201);
    expect((await put(token, 'c', items(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']))).status).to.equal(200);
    const over = await put(token, 'c', items(['i', 'j', 'k']));
    expect(over.status).to.equal(403);
    expect(over.body.message).to.match(
      /vectors to 11, over the quota of 10 \(in use: 8\); nothing was written/,
    );
    expect((await h.call('GET', '/v1/collections/c/vectors/i', { token })).status).to.equal(404);
    expect((await h.call('POST', '/v1/collections/c/count', { token, body: {} })).body.count).to.equal(8);
    // Two replaced, two new: 10, at the quota.
    expect((await put(token, 'c', items(['a', 'b', 'i', 'j']))).status).to.equal(200);
    let now = await usage(token);
    expect(now.vectors.used).to.equal(10);
    expect(now.bytes.used).to.equal(await storedBytes(sub));
    expect((await h.call('DELETE', '/v1/collections/c/vectors/a', { token })).status).to.equal(204);
    now = await usage(token);
    expect(now.vectors.used).to.equal(9);
    expect(now.bytes.used).to.equal(await storedBytes(sub));
    expect((await h.call('DELETE', '/v1/collections/c', { token })).status).to.equal(204);
    expect(await usage(token)).to.deep.include({
      collections: { used: 0, limit: 2 },
      vectors: { used: 0, limit: 10 },
    });
    expect((await usage(token)).bytes.used).to.equal(0);
  });

  it('lets exactly one of concurrent writes take the last free place', async () => {
    const token = await h.issuer.sign({ sub: `quota-${randomUUID()}` });
    expect((await create(token, 'race')).status).to.equal(201);
    expect((await put(token, 'race', items(['0', '1', '2', '3', '4', '5', '6', '7', '8']))).status).to.equal(
      200,
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => put(token, 'race', items([`new-${i}`]))),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 403, 403, 403, 403, 403]);
    expect((await usage(token)).vectors.used).to.equal(10);
    expect((await h.call('POST', '/v1/collections/race/count', { token, body: {} })).body.count).to.equal(10);
  });

  it('takes a client quota over the global one, stored bytes included', async () => {
    const sub = `quota-${randomUUID()}`;
    const token = await h.issuer.sign({ sub, clientId: 'big-client' });
    expect((await usage(token)).collections.limit).to.equal(5);
    for (const name of ['a', 'b', 'c']) expect((await create(token, name)).status).to.equal(201);
    const big = { text: 'x'.repeat(15_000) };
    expect(
      (
        await put(
          token,
          'a',
          items(
            Array.from({ length: 40 }, (_, i) => `v${i}`),
            big,
          ),
        )
      ).status,
    ).to.equal(200);
    const over = await put(
      token,
      'b',
      items(
        Array.from({ length: 40 }, (_, i) => `w${i}`),
        big,
      ),
    );
    expect(over.status).to.equal(403);
    expect(over.body.message).to.match(/stored bytes .*over the quota of 1048576/);
    const now = await usage(token);
    expect(now.vectors.used).to.equal(40);
    expect(now.bytes.used).to.equal(await storedBytes(sub));
    // The same principal through the default client has the global quota.
    const other = await h.issuer.sign({ sub });
    expect((await usage(other)).collections).to.deep.equal({ used: 3, limit: 2 });
    expect((await create(other, 'd')).status).to.equal(403);
  });
});
