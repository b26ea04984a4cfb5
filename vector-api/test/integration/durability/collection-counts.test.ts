import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

/**
 * A collection shows its count from a number every write keeps on its row (GET and the listing
 * never count the records): it must stay exactly the number of live vectors through new vectors,
 * replacements, deletes of live and of missing ones, a write refused by the quota, and writers on
 * two instances at once.
 */
describe("a collection's count, kept by every write", function () {
  this.timeout(60_000);
  let a: Harness;
  let b: SecondInstance;
  let token: string;
  const name = `counted-${randomUUID().slice(0, 8)}`;

  before(async () => {
    a = await startHarness({ VECTOR_QUOTA_VECTORS: '1000' });
    b = await startSecondInstance(a);
    token = await a.issuer.sign({ sub: `user-${randomUUID()}` });
    const created = await a.call('POST', '/v1/collections', {
      token,
      body: { name, dimension: 2, metric: 'l2' },
    });
    expect(created.status, created.text).to.equal(201);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  const put = (h: Harness | SecondInstance, ids: string[]) =>
    h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: ids.map((id, i) => ({ id, vector: [i, 1] })) },
    });
  const del = (h: Harness | SecondInstance, id: string) =>
    h.call('DELETE', `/v1/collections/${name}/vectors/${id}`, { token });

  async function counts() {
    const shown = (await a.call('GET', `/v1/collections/${name}`, { token })).body.count as number;
    const listed = (
      (await b.call('GET', '/v1/collections', { token })).body.collections as {
        name: string;
        count: number;
      }[]
    ).find((c) => c.name === name)?.count;
    const counted = (await a.call('POST', `/v1/collections/${name}/count`, { token, body: {} })).body
      .count as number;
    return { shown, listed, counted };
  }

  it('counts new vectors, not replacements, and deletes only of live ones', async () => {
    expect((await put(a, ['a', 'b', 'c'])).status).to.equal(200);
    expect((await put(b, ['b', 'c', 'd'])).status).to.equal(200); // b and c replaced, d new
    expect((await del(a, 'a')).status).to.equal(204);
    expect((await del(b, 'a')).status, 'already gone').to.equal(404);
    expect((await del(a, 'zzz')).status).to.equal(404);
    expect(await counts()).to.deep.equal({ shown: 3, listed: 3, counted: 3 });
  });

  it('does not count a write the quota refused (nothing of it was written)', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `q${i}`);
    expect((await put(a, many)).status).to.equal(403);
    expect(await counts()).to.deep.equal({ shown: 3, listed: 3, counted: 3 });
  });

  it('stays exact with writers on both instances at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => {
        const h = n % 2 ? a : b;
        // Overlapping ids: each batch replaces half of the previous one's.
        const ids = Array.from({ length: 10 }, (_, i) => `w${n * 5 + i}`);
        return put(h, ids).then((res) => expect(res.status, res.text).to.equal(200));
      }),
    );
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        del(n % 2 ? a : b, `w${n * 3}`).then((res) => expect(res.status).to.equal(204)),
      ),
    );
    // w0 .. w104 written (105 ids), 10 of them deleted, plus b, c and d from before.
    expect(await counts()).to.deep.equal({ shown: 98, listed: 98, counted: 98 });
  });
});
