import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { bruteForce, randomVector, seededRandom, type TestMetric } from '../../support/brute-force.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue } from '../../support/wait-for.ts';

const DIMENSION = 16;
const COUNT = 300;
const K = 10;

describe('vector-api search equals brute force', () => {
  let h: Harness;
  let token: string;
  const random = seededRandom(20261122);
  const data = new Map<TestMetric, { name: string; records: Map<string, number[]> }>();
  const queries = Array.from({ length: 5 }, () => randomVector(random, DIMENSION));

  before(async () => {
    h = await startHarness();
    token = await h.token();
  });
  after(async () => {
    await h?.close();
  });

  async function search(name: string, vector: number[], k = K) {
    const res = await h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector, k } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.results as { id: string; score: number; metadata: { n: number } | null }[];
  }

  async function expectBruteForce(metric: TestMetric) {
    const { name, records } = data.get(metric)!;
    for (const q of queries) {
      const got = await search(name, q);
      const want = bruteForce(records, q, K, metric);
      expect(got.map((r) => r.id)).to.deep.equal(want.map((r) => r.id));
      got.forEach((r, i) => {
        expect(r.score).to.be.closeTo(want[i]!.score, 1e-4);
      });
    }
  }

  async function put(name: string, vectors: { id: string; vector: number[]; metadata?: object }[]) {
    const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  for (const metric of ['l2', 'ip', 'cosine'] as const) {
    describe(`metric ${metric}`, () => {
      before(async () => {
        const name = `bf-${metric}-${randomUUID().slice(0, 8)}`;
        const created = await h.call('POST', '/v1/collections', {
          token,
          body: { name, dimension: DIMENSION, metric },
        });
        expect(created.status).to.equal(201);
        const records = new Map<string, number[]>();
        const vectors = Array.from({ length: COUNT }, (_, n) => {
          const vector = randomVector(random, DIMENSION);
          records.set(`v${n}`, vector);
          return { id: `v${n}`, vector, metadata: { n } };
        });
        await put(name, vectors.slice(0, 150));
        await put(name, vectors.slice(150));
        data.set(metric, { name, records });
      });

      it('returns the same ids in the same order with the same scores', async () => {
        await expectBruteForce(metric);
        const [first] = await search(data.get(metric)!.name, queries[0]!, 1);
        expect(first?.metadata).to.have.property('n').that.is.a('number');
      });

      it('replaces a vector when its id is upserted again', async () => {
        const { name, records } = data.get(metric)!;
        const target = queries[1]!;
        const moved = metric === 'l2' ? target : target.map((x) => x * 3);
        records.set('v7', moved);
        await put(name, [{ id: 'v7', vector: moved, metadata: { n: 7000 } }]);
        await expectBruteForce(metric);
        const [best] = await search(name, target, 1);
        expect(best?.id).to.equal('v7');
        expect(best?.metadata).to.deep.equal({ n: 7000 });
        const count = await h.call('GET', `/v1/collections/${name}`, { token });
        expect(count.body.count).to.equal(COUNT);
      });

      it('forgets a deleted vector', async () => {
        const { name, records } = data.get(metric)!;
        const del = await h.call('DELETE', `/v1/collections/${name}/vectors/v7`, { token });
        expect(del.status).to.equal(204);
        records.delete('v7');
        await expectBruteForce(metric);
        const gone = await h.call('GET', `/v1/collections/${name}/vectors/v7`, { token });
        expect(gone.status).to.equal(404);
        const again = await h.call('DELETE', `/v1/collections/${name}/vectors/v7`, { token });
        expect(again.status).to.equal(404);
      });
    });
  }

  describe('over the collections above', () => {
    it('answers searches that arrive together, each with its own results', async () => {
      const { name, records } = data.get('l2')!;
      const many = Array.from({ length: 24 }, () => randomVector(random, DIMENSION));
      const results = await Promise.all(many.map((q, i) => search(name, q, 1 + (i % 5))));
      results.forEach((got, i) => {
        const want = bruteForce(records, many[i]!, 1 + (i % 5), 'l2');
        expect(got.map((r) => r.id)).to.deep.equal(want.map((r) => r.id));
      });
    });

    it('counts FAISS calls, the queries they answered and their time in /metrics', async () => {
      const { name } = data.get('ip')!;
      const read = async () => {
        const text = (await h.call('GET', '/metrics')).text;
        return ['calls', 'queries', 'seconds'].map((m) =>
          metricValue(text, `vector_index_search_${m}_total`),
        );
      };
      const [calls, queries, seconds] = await read();
      await Promise.all(Array.from({ length: 8 }, () => search(name, randomVector(random, DIMENSION))));
      const [callsAfter, queriesAfter, secondsAfter] = await read();
      expect(queriesAfter! - queries!).to.equal(8);
      expect(callsAfter! - calls!).to.be.within(1, 8);
      expect(secondsAfter).to.be.above(seconds!);
    });

    it('returns fewer than k results when the collection is small, and none when it is empty', async () => {
      const name = `small-${randomUUID().slice(0, 8)}`;
      await h.call('POST', '/v1/collections', { token, body: { name, dimension: 2, metric: 'ip' } });
      expect(await search(name, [1, 0], 5)).to.deep.equal([]);
      await put(name, [
        { id: 'a', vector: [1, 0] },
        { id: 'b', vector: [0, 1] },
      ]);
      const got = await search(name, [1, 0.5], 5);
      expect(got.map((r) => r.id)).to.deep.equal(['a', 'b']);
    });

    it('keeps every acknowledged vector across a restart, with identical results', async () => {
      const before = new Map<string, unknown>();
      for (const metric of ['l2', 'ip', 'cosine'] as const) {
        const { name } = data.get(metric)!;
        before.set(metric, await Promise.all(queries.map((q) => search(name, q))));
      }
      await h.restart();
      for (const metric of ['l2', 'ip', 'cosine'] as const) {
        const { name, records } = data.get(metric)!;
        const after = await Promise.all(queries.map((q) => search(name, q)));
        expect(after).to.deep.equal(before.get(metric));
        const col = await h.call('GET', `/v1/collections/${name}`, { token });
        expect(col.body.count).to.equal(records.size);
        await expectBruteForce(metric);
      }
    });
  });
});
