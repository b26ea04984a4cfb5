import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

/**
 * Each instance answers `find` from its cached collection row while the version published in
 * Redis matches: a write, a delete, a re-creation or a shred on one instance is seen by the next
 * request on the other.
 */
describe('the collection cache across two instances', function () {
  this.timeout(60_000);
  let a: Harness;
  let b: SecondInstance;
  let orm: MikroORM;
  let redis: Redis;
  before(async () => {
    a = await startHarness();
    b = await startSecondInstance(a);
    orm = await openVectorOrm(a.env.VECTOR_DATABASE_URL as string);
    redis = new Redis(a.env.REDIS_URL as string);
  });
  after(async () => {
    await redis?.quit();
    await orm?.close(true);
    await b?.close();
    await a?.close();
  });

  const newPrincipal = async () => a.issuer.sign({ sub: `user-${randomUUID()}` });
  const search = (h: Harness | SecondInstance, token: string, name: string, vector: number[], k = 10) =>
    h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector, k } });
  const ids = (res: { body: { results: { id: string }[] } }) => res.body.results.map((r) => r.id).sort();
  const create = async (h: Harness | SecondInstance, token: string, name: string, dimension = 2) =>
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension, metric: 'l2' } })).status,
    ).to.equal(201);
  const upsert = async (h: Harness | SecondInstance, token: string, name: string, vectors: unknown[]) => {
    const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(res.status, res.text).to.equal(200);
    return res.body.version as number;
  };

  it('a search on one instance sees every write made on the other, in both directions', async () => {
    const token = await newPrincipal();
    await create(a, token, 'docs');
    await upsert(a, token, 'docs', [{ id: 'a', vector: [0, 0] }]);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a']); // b caches the row
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a']);
    await upsert(a, token, 'docs', [{ id: 'b', vector: [1, 1] }]);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['a', 'b']);
    expect((await a.call('DELETE', '/v1/collections/docs/vectors/a', { token })).status).to.equal(204);
    expect(ids(await search(b, token, 'docs', [0, 0]))).to.deep.equal(['b']);
    await upsert(b, token, 'docs', [{ id: 'c', vector: [2, 2] }]);
    expect(ids(await search(a, token, 'docs', [0, 0]))).to.deep.equal(['b', 'c']);
    const seen = await b.call('GET', '/v1/collections/docs', { token });
    expect(seen.body.version).to.equal((await a.call('GET', '/v1/collections/docs', { token })).body.version);
  });

  it('a collection deleted on one instance is gone on the other, and its re-creation is a new collection', async () => {
    const token = await newPrincipal();
    await create(a, token, 'gone');
    await upsert(a, token, 'gone', [{ id: 'old', vector: [0, 0] }]);
    expect(ids(await search(b, token, 'gone', [0, 0]))).to.deep.equal(['old']);
    expect((await a.call('DELETE', '/v1/collections/gone', { token })).status).to.equal(204);
    expect((await search(b, token, 'gone', [0, 0])).status).to.equal(404);
    expect((await b.call('GET', '/v1/collections/gone', { token })).status).to.equal(404);

    await create(a, token, 'gone', 3);
    await upsert(a, token, 'gone', [{ id: 'new', vector: [0, 0, 0] }]);
    expect((await search(b, token, 'gone', [0, 0])).status, 'the old dimension').to.equal(400);
    expect(ids(await search(b, token, 'gone', [0, 0, 0]))).to.deep.equal(['new']);
  });

  it('a principal shredded through one instance has nothing left on the other', async () => {
    const sub = `user-${randomUUID()}`;
    const token = await a.issuer.sign({ sub });
    await create(a, token, 'secret');
    await upsert(a, token, 'secret', [{ id: 's', vector: [0, 0] }]);
    expect(ids(await search(b, token, 'secret', [0, 0]))).to.deep.equal(['s']);
    const [row] = await orm.em
      .fork()
      .execute<{ id: string }[]>('select id from collection where principal = ?', [sub]);
    expect(await redis.get(`cv:${row?.id}`)).to.equal('2');
    const admin = await a.issuer.sign({ sub: `operator-${randomUUID()}`, scope: 'admin' });
    const shred = await a.call('DELETE', `/v1/admin/principals/${encodeURIComponent(sub)}`, { token: admin });
    expect(shred.status, shred.text).to.be.oneOf([200, 204]);
    // Retired with the rows: correct even where the shred broadcast never arrives.
    expect(await redis.get(`cv:${row?.id}`)).to.equal(null);
    expect((await search(b, token, 'secret', [0, 0])).status).to.equal(404);
  });

  it('keeps principals apart: the same collection name of two principals, cached on one instance', async () => {
    const alice = await newPrincipal();
    const mallory = await newPrincipal();
    await create(a, alice, 'notes');
    await upsert(a, alice, 'notes', [{ id: 'alice-1', vector: [0, 0] }]);
    expect(ids(await search(b, alice, 'notes', [0, 0]))).to.deep.equal(['alice-1']);
    // mallory has no such collection: a 404, whatever b holds for alice
    expect((await search(b, mallory, 'notes', [0, 0])).status).to.equal(404);
    await create(b, mallory, 'notes');
    await upsert(b, mallory, 'notes', [{ id: 'mallory-1', vector: [0, 0] }]);
    expect(ids(await search(b, mallory, 'notes', [0, 0]))).to.deep.equal(['mallory-1']);
    expect(ids(await search(b, alice, 'notes', [0, 0]))).to.deep.equal(['alice-1']);
    expect(ids(await search(a, mallory, 'notes', [0, 0]))).to.deep.equal(['mallory-1']);
  });
});
