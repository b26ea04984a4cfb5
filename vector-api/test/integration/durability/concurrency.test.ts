import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const BATCHES = 30;
const BATCH = 20;
const DIMENSION = 4;

describe('concurrent writers and two instances on one database', function () {
  this.timeout(60_000);
  let a: Harness;
  let b: SecondInstance;
  let token: string;
  const name = `shared-${randomUUID().slice(0, 8)}`;

  before(async () => {
    a = await startHarness({ VECTOR_MAX_K: '5000' });
    b = await startSecondInstance(a);
    token = await a.issuer.sign({ sub: `user-${randomUUID()}` });
    expect(
      (await a.call('POST', '/v1/collections', { token, body: { name, dimension: DIMENSION, metric: 'l2' } }))
        .status,
    ).to.equal(201);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  const search = (h: Harness | SecondInstance, k = 5000) =>
    h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector: [0, 0, 0, 0], k } });

  it('serialises parallel batches from both instances, and no search ever sees half of one', async () => {
    const versions: number[] = [];
    const partial: string[] = [];
    let writing = true;
    const writers = Array.from({ length: BATCHES }, async (_, n) => {
      const h = n % 2 ? a : b;
      // every vector of a batch is the same point: a search for all of them returns all or none
      const vector = [n + 1, 0, 0, 0];
      const vectors = Array.from({ length: BATCH }, (_, i) => ({ id: `b${n}-${i}`, vector }));
      const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
      expect(res.status, res.text).to.equal(200);
      versions.push(res.body.version);
    });
    const readers = [a, b].map(async (h) => {
      let searches = 0;
      while (writing || searches < 3) {
        const res = await search(h);
        expect(res.status, res.text).to.equal(200);
        const perBatch = new Map<string, number>();
        for (const r of res.body.results as { id: string }[]) {
          const batch = r.id.split('-')[0] as string;
          perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
        }
        for (const [batch, n] of perBatch) if (n !== BATCH) partial.push(`${batch}: ${n}`);
        searches++;
      }
      return searches;
    });
    await Promise.all(writers);
    writing = false;
    const searches = await Promise.all(readers);
    expect(partial).to.deep.equal([]);
    expect(searches.every((n) => n >= 3)).to.equal(true);
    // one version per batch, no two batches sharing one: the collection row lock orders them
    versions.sort((x, y) => x - y);
    expect(versions).to.deep.equal(Array.from({ length: BATCHES }, (_, i) => (versions[0] as number) + i));
    for (const h of [a, b]) {
      const all = await search(h);
      expect(all.body.results).to.have.length(BATCHES * BATCH);
    }
  });

  it('shows a write acknowledged by one instance to a search on the other at once', async () => {
    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ] as const) {
      const id = `fresh-${randomUUID().slice(0, 8)}`;
      await search(reader, 1); // the reader's cache is warm and now one version behind
      const put = await writer.call('PUT', `/v1/collections/${name}/vectors`, {
        token,
        body: { vectors: [{ id, vector: [0, 0, 0, 0], metadata: { by: 'writer' } }] },
      });
      expect(put.status).to.equal(200);
      const seen = await search(reader, 1);
      expect(seen.body.results[0]).to.deep.equal({ id, score: 0, metadata: { by: 'writer' } });
      expect(
        (await writer.call('DELETE', `/v1/collections/${name}/vectors/${id}`, { token })).status,
      ).to.equal(204);
      const gone = await search(reader, 1);
      expect(gone.body.results[0].id).to.not.equal(id);
    }
  });
});
