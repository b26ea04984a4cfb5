import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api isolation between principals', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  const name = `shared-name-${randomUUID().slice(0, 8)}`;

  before(async () => {
    h = await startHarness();
    const aliceSub = `alice-${randomUUID()}`;
    alice = await h.issuer.sign({ sub: aliceSub, scope: 'vectors:read vectors:write vectors:delete' });
    bob = await h.issuer.sign({
      sub: `bob-${randomUUID()}`,
      scope: 'vectors:read vectors:write vectors:delete',
    });
    expect(
      (await h.call('POST', '/v1/collections', { token: alice, body: { name, dimension: 3, metric: 'l2' } }))
        .status,
    ).to.equal(201);
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token: alice,
      body: { vectors: [{ id: 'secret', vector: [1, 2, 3], metadata: { owner: 'alice' } }] },
    });
    expect(put.status).to.equal(200);
  });
  after(async () => {
    await h?.close();
  });

  it("does not list another principal's collections", async () => {
    const res = await h.call('GET', '/v1/collections', { token: bob });
    expect(res.status).to.equal(200);
    expect(res.body.collections.map((c: { name: string }) => c.name)).to.not.include(name);
  });

  it("answers 404 for another principal's collection and vectors, like a missing one", async () => {
    const attempts = [
      h.call('GET', `/v1/collections/${name}`, { token: bob }),
      h.call('GET', `/v1/collections/${name}/vectors/secret`, { token: bob }),
      h.call('POST', `/v1/collections/${name}/search`, { token: bob, body: { vector: [1, 2, 3], k: 1 } }),
      h.call('PUT', `/v1/collections/${name}/vectors`, {
        token: bob,
        body: { vectors: [{ id: 'evil', vector: [0, 0, 0] }] },
      }),
      h.call('DELETE', `/v1/collections/${name}/vectors/secret`, { token: bob }),
      h.call('DELETE', `/v1/collections/${name}`, { token: bob }),
    ];
    const missing = await h.call('GET', `/v1/collections/nope-${randomUUID()}`, { token: bob });
    for (const res of await Promise.all(attempts)) {
      expect(res.status).to.equal(404);
      expect(res.body.error).to.equal(missing.body.error);
    }
  });

  it("leaves the owner's data untouched after those attempts", async () => {
    const res = await h.call('GET', `/v1/collections/${name}/vectors/secret`, { token: alice });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id: 'secret', vector: [1, 2, 3], metadata: { owner: 'alice' } });
    const col = await h.call('GET', `/v1/collections/${name}`, { token: alice });
    expect(col.body.count).to.equal(1);
  });

  it('lets each principal own a collection of the same name', async () => {
    const res = await h.call('POST', '/v1/collections', {
      token: bob,
      body: { name, dimension: 2, metric: 'ip' },
    });
    expect(res.status).to.equal(201);
    const again = await h.call('POST', '/v1/collections', {
      token: bob,
      body: { name, dimension: 2, metric: 'ip' },
    });
    expect(again.status).to.equal(409);
    expect(again.body.error).to.equal('conflict');
    const aliceView = await h.call('GET', `/v1/collections/${name}`, { token: alice });
    expect(aliceView.body.dimension).to.equal(3);
  });
});
