import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type ApiResponse, type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api refuses bad input', () => {
  let h: Harness;
  let token: string;
  const name = `valid-${randomUUID().slice(0, 8)}`;
  const cosine = `cos-${randomUUID().slice(0, 8)}`;

  before(async () => {
    h = await startHarness({
      VECTOR_MAX_BATCH: '5',
      VECTOR_MAX_BODY_BYTES: '8192',
      VECTOR_MAX_K: '50',
      VECTOR_MAX_METADATA_BYTES: '64',
    });
    token = await h.token();
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: 3, metric: 'l2' } })).status,
    ).to.equal(201);
    expect(
      (
        await h.call('POST', '/v1/collections', {
          token,
          body: { name: cosine, dimension: 2, metric: 'cosine' },
        })
      ).status,
    ).to.equal(201);
  });
  after(async () => {
    await h?.close();
  });

  function expect400(res: ApiResponse, mentions: RegExp) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error).to.be.a('string');
    expect(res.body.message).to.match(mentions);
  }
  const put = (body: unknown, collection = name) =>
    h.call('PUT', `/v1/collections/${collection}/vectors`, { token, body });
  const search = (body: unknown, collection = name) =>
    h.call('POST', `/v1/collections/${collection}/search`, { token, body });
  const create = (body: unknown) => h.call('POST', '/v1/collections', { token, body });

  async function expectEmpty() {
    const res = await h.call('GET', `/v1/collections/${name}`, { token });
    expect(res.body.count).to.equal(0);
  }

  it('refuses a vector of the wrong dimension', async () => {
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 2] }] }), /vectors\.0\.vector.*expected 3/);
    expect400(await search({ vector: [1, 2, 3, 4], k: 1 }), /vector.*expected 3/);
  });

  it('refuses values that are not finite numbers', async () => {
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 'NaN', 3] }] }), /vectors\.0\.vector\.1/);
    expect400(await put({ vectors: [{ id: 'a', vector: [1, null, 3] }] }), /vectors\.0\.vector\.1/);
    expect400(await put({ vectors: [{ id: 'a', vector: [1, [2], 3] }] }), /vectors\.0\.vector\.1/);
    expect400(await put({ vectors: [{ id: 'a', vector: 'abc' }] }), /vectors\.0\.vector/);
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 1e39, 3] }] }), /float32/);
    expect400(await search({ vector: [1, true, 3], k: 1 }), /vector\.1/);
    await expectEmpty();
  });

  it('refuses empty, oversized and duplicate-id batches and stores nothing from them', async () => {
    expect400(await put({ vectors: [] }), /vectors.*at least one/);
    const six = Array.from({ length: 6 }, (_, i) => ({ id: `v${i}`, vector: [i, 0, 0] }));
    expect400(await put({ vectors: six }), /vectors.*at most 5/);
    expect400(
      await put({
        vectors: [
          { id: 'a', vector: [1, 2, 3] },
          { id: 'a', vector: [3, 2, 1] },
        ],
      }),
      /duplicate id "a"/,
    );
    await expectEmpty();
  });

  it('stores nothing from a batch with one bad vector', async () => {
    const res = await put({
      vectors: [
        { id: 'ok1', vector: [1, 2, 3] },
        { id: 'ok2', vector: [1, 2, 3] },
        { id: 'bad', vector: [1, 2] },
      ],
    });
    expect400(res, /vectors\.2\.vector/);
    await expectEmpty();
    expect((await h.call('GET', `/v1/collections/${name}/vectors/ok1`, { token })).status).to.equal(404);
  });

  it('answers 413 for an oversized body and 400 for malformed JSON', async () => {
    const big = await put({
      vectors: [{ id: 'a', vector: [1, 2, 3], metadata: { pad: 'x'.repeat(10_000) } }],
    });
    expect(big.status).to.equal(413);
    expect(big.body.error).to.equal('payload_too_large');
    const bad = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, raw: '{"vectors": [' });
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.match(/JSON/);
    await expectEmpty();
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      raw: 'vector=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).to.equal(415);
  });

  it('refuses bodies that are not objects and unknown fields', async () => {
    expect400(await search([1, 2, 3]), /body|expected object/);
    expect400(await h.call('POST', `/v1/collections/${name}/search`, { token, raw: 'null' }), /./);
    expect400(await search({ vector: [1, 2, 3], k: 1, filter: {} }), /filter/);
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 2, 3], extra: 1 }] }), /extra/);
    expect400(await create({ name: 'x', dimension: 2, metric: 'l2', owner: 'someone-else' }), /owner/);
  });

  it('refuses bad collection names and vector ids', async () => {
    expect400(await create({ name: '../etc', dimension: 2, metric: 'l2' }), /name/);
    expect400(await create({ name: '', dimension: 2, metric: 'l2' }), /name/);
    expect400(await create({ name: 'a'.repeat(200), dimension: 2, metric: 'l2' }), /name/);
    expect400(await h.call('GET', '/v1/collections/%20bad', { token }), /name/);
    expect400(await put({ vectors: [{ id: 'has space', vector: [1, 2, 3] }] }), /vectors\.0\.id/);
    expect400(await put({ vectors: [{ id: 42, vector: [1, 2, 3] }] }), /vectors\.0\.id/);
    expect400(await h.call('GET', `/v1/collections/${name}/vectors/${'x'.repeat(200)}`, { token }), /id/);
  });

  it('refuses bad collection definitions', async () => {
    expect400(await create({ name: 'd0', dimension: 0, metric: 'l2' }), /dimension/);
    expect400(await create({ name: 'd1', dimension: 1.5, metric: 'l2' }), /dimension/);
    expect400(await create({ name: 'd2', dimension: 100_000, metric: 'l2' }), /dimension/);
    expect400(await create({ name: 'd3', dimension: 2, metric: 'hamming' }), /metric/);
    expect400(await create({ name: 'd4', dimension: 2 }), /metric/);
  });

  it('refuses k out of range', async () => {
    expect400(await search({ vector: [1, 2, 3], k: 0 }), /k/);
    expect400(await search({ vector: [1, 2, 3], k: 51 }), /k/);
    expect400(await search({ vector: [1, 2, 3], k: 2.5 }), /k/);
    expect400(await search({ vector: [1, 2, 3], k: '3' }), /k/);
    expect400(await search({ vector: [1, 2, 3] }), /k/);
  });

  it('refuses metadata that is not an object or is too large', async () => {
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 2, 3], metadata: [1, 2] }] }), /metadata/);
    expect400(await put({ vectors: [{ id: 'a', vector: [1, 2, 3], metadata: 'text' }] }), /metadata/);
    expect400(
      await put({ vectors: [{ id: 'a', vector: [1, 2, 3], metadata: { long: 'y'.repeat(100) } }] }),
      /metadata.*64 bytes/,
    );
    await expectEmpty();
  });

  it('refuses a zero vector under cosine, on insert and on query', async () => {
    expect400(await put({ vectors: [{ id: 'z', vector: [0, 0] }] }, cosine), /zero vector/);
    expect400(await search({ vector: [0, 0], k: 1 }, cosine), /zero vector/);
  });

  it('never answers 5xx to odd input', async () => {
    const bodies: unknown[] = [
      {},
      { vectors: null },
      { vectors: {} },
      { vectors: [null] },
      { vectors: [{}] },
      { vectors: [{ id: 'a', vector: [] }] },
      { vectors: [{ id: 'a', vector: [1, 2, 3], metadata: null }] },
      { __proto__: { vectors: [] } },
      { vector: [[1, 2, 3]], k: 1 },
      { vector: [1e308, 1, 1], k: 1 },
      { vector: [-0, 0, 0], k: 1 },
      { vectors: [{ id: 'a', vector: [1, 2, 3], metadata: { __proto__: { x: 1 } } }] },
    ];
    for (const body of bodies) {
      for (const res of [await put(body), await search(body), await create(body)]) {
        expect(res.status, JSON.stringify(body)).to.be.below(500);
      }
    }
    const raws = ['', '[]', '"x"', '1e999', '{"vectors":[{"id":"a","vector":[1,2,NaN]}]}', '\u0000'];
    for (const raw of raws) {
      const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, raw });
      expect(res.status, raw).to.be.below(500);
    }
  });
});
