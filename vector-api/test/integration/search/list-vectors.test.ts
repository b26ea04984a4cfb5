import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { compileMetadataFilter, parseMetadataFilter } from '../../../src/search/metadata-filter.ts';
import { randomVector, seededRandom } from '../../support/brute-force.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const DIMENSION = 8;
type Page = { vectors: { id: string; metadata: Record<string, unknown> | null }[]; next_cursor?: string };

describe('vector-api listing: pages by cursor', function () {
  this.timeout(120_000);
  let h: Harness;
  let token: string;
  const random = seededRandom(77);

  before(async () => {
    h = await startHarness();
    token = await h.token();
  });
  after(async () => {
    await h?.close();
  });

  async function collectionWith(count: number, metadata: (n: number) => object | undefined) {
    const name = `list-${randomUUID().slice(0, 8)}`;
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: DIMENSION, metric: 'l2' } }))
        .status,
    ).to.equal(201);
    await put(
      name,
      Array.from({ length: count }, (_, n) => `v${String(n).padStart(4, '0')}`).map((id, n) => ({
        id,
        vector: randomVector(random, DIMENSION),
        ...(metadata(n) ? { metadata: metadata(n) } : {}),
      })),
    );
    return name;
  }
  async function put(name: string, vectors: object[]) {
    const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }
  async function page(name: string, query: Record<string, string>): Promise<Page> {
    const res = await h.call('GET', `/v1/collections/${name}/vectors?${new URLSearchParams(query)}`, {
      token,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }
  async function listAll(
    name: string,
    query: Record<string, string>,
    between?: (n: number) => Promise<void>,
  ) {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; ; n++) {
      const p = await page(name, { ...query, ...(cursor ? { cursor } : {}) });
      ids.push(...p.vectors.map((v) => v.id));
      if (!p.next_cursor) return ids;
      cursor = p.next_cursor;
      await between?.(n);
    }
  }

  it('lists every vector once, in id order, limit at a time, with no cursor on the last page', async () => {
    const name = await collectionWith(250, (n) => ({ n }));
    const first = await page(name, { limit: '100' });
    expect(first.vectors).to.have.length(100);
    expect(first.vectors[0]).to.deep.equal({ id: 'v0000', metadata: { n: 0 } });
    const ids = await listAll(name, { limit: '100' });
    expect(ids).to.deep.equal(Array.from({ length: 250 }, (_, n) => `v${String(n).padStart(4, '0')}`));
    expect(await page(name, {}))
      .to.have.property('vectors')
      .with.length(100); // default limit
    const exact = await page(name, { limit: '250' });
    expect(exact.vectors).to.have.length(250);
    expect(exact).to.not.have.property('next_cursor');
  });

  it('shows each vector that lives through the listing exactly once while writes happen', async () => {
    const name = await collectionWith(120, () => undefined);
    const deleted = new Set<string>();
    const added = new Set<string>();
    const ids = await listAll(name, { limit: '17' }, async (n) => {
      // Between pages: delete one listed and one not yet listed, add some anywhere in id order.
      for (const id of [`v${String(n * 10).padStart(4, '0')}`, `v${String(119 - n).padStart(4, '0')}`]) {
        const res = await h.call('DELETE', `/v1/collections/${name}/vectors/${id}`, { token });
        if (res.status === 204) deleted.add(id);
      }
      const fresh = [`v${String(n * 13).padStart(4, '0')}x`, `a-new-${n}`, `z-new-${n}`];
      await put(
        name,
        fresh.map((id) => ({ id, vector: randomVector(random, DIMENSION) })),
      );
      for (const id of fresh) added.add(id);
    });
    expect(new Set(ids).size).to.equal(ids.length); // nothing twice
    const lived = Array.from({ length: 120 }, (_, n) => `v${String(n).padStart(4, '0')}`).filter(
      (id) => !deleted.has(id),
    );
    for (const id of lived) expect(ids, id).to.include(id);
    for (const id of ids) expect(lived.includes(id) || added.has(id) || deleted.has(id), id).to.equal(true);
  });

  it('lists only the vectors a filter matches, across short pages', async () => {
    const meta = (n: number) => (n % 9 === 0 ? undefined : { n, tag: n % 4 === 0 ? 'red' : 'blue' });
    const name = await collectionWith(300, meta);
    const filter = { tag: 'red', n: { $gte: 40 } };
    const matches = compileMetadataFilter(parseMetadataFilter(filter));
    const want = Array.from({ length: 300 }, (_, n) => n)
      .filter((n) => matches((meta(n) ?? null) as never))
      .map((n) => `v${String(n).padStart(4, '0')}`);
    expect(await listAll(name, { limit: '7', filter: JSON.stringify(filter) })).to.deep.equal(want);
    expect(await listAll(name, { filter: JSON.stringify({ tag: 'green' }) })).to.deep.equal([]);
  });

  it('refuses a cursor it did not give, a bad filter and a bad limit with a 400', async () => {
    const name = await collectionWith(3, () => undefined);
    const forged = Buffer.from(JSON.stringify({ v: 2, after: 'x' })).toString('base64url');
    // Well-formed, but what it carries would reach Postgres as text it refuses (a NUL).
    const hostile = Buffer.from(JSON.stringify({ v: 1, after: 'a\u0000b' })).toString('base64url');
    const queries: Record<string, string>[] = [
      { cursor: 'not-a-cursor' },
      { cursor: forged },
      { cursor: hostile },
      { filter: '{"tag":' },
      { filter: '{"tag":{"$regex":"x"}}' },
      { limit: '0' },
      { limit: '1001' },
      { limit: 'ten' },
      { other: '1' },
    ];
    for (const query of queries) {
      const res = await h.call('GET', `/v1/collections/${name}/vectors?${new URLSearchParams(query)}`, {
        token,
      });
      expect(res.status, JSON.stringify(query)).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    }
  });

  it("lists, counts and searches nothing of another principal's collection: 404", async () => {
    const name = await collectionWith(3, () => undefined);
    const other = await h.issuer.sign({ sub: `other-${randomUUID()}` });
    const res = await h.call('GET', `/v1/collections/${name}/vectors`, { token: other });
    expect(res.status).to.equal(404);
    // The owner's own cursor does not open the collection to someone else either.
    const cursor = (await page(name, { limit: '1' })).next_cursor as string;
    const withCursor = await h.call('GET', `/v1/collections/${name}/vectors?cursor=${cursor}`, {
      token: other,
    });
    expect(withCursor.status).to.equal(404);
    for (const path of ['count', 'search']) {
      const body =
        path === 'count' ? { filter: { n: { $exists: true } } } : { vector: [1, 2, 3, 4, 5, 6, 7, 8], k: 3 };
      const res = await h.call('POST', `/v1/collections/${name}/${path}`, { token: other, body });
      expect(res.status, path).to.equal(404);
    }
  });

  it('refuses a filter parameter longer than 64 KiB with a 400, reading nothing', async () => {
    const name = await collectionWith(3, () => undefined);
    const filter = JSON.stringify({ $or: [{ n: 'x'.repeat(70_000) }] });
    const res = await h.call('GET', `/v1/collections/${name}/vectors?filter=${encodeURIComponent(filter)}`, {
      token,
    });
    expect([400, 414, 431]).to.include(res.status);
  });
});
