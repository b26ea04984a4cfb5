import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AUTO_HNSW_FROM } from '../../../src/store/index-settings.ts';
import { seededRandom } from '../../support/brute-force.ts';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

const DIMENSION = 32;
const K = 10;
type Hit = { id: string; score: number; metadata?: Record<string, unknown> | null };

/**
 * Points as embeddings lie: in clusters, each near a 16-dimensional patch of the 32-dimensional
 * space, plus noise in every direction (seeded, so a failure replays). Hard enough that a narrow
 * HNSW search misses neighbours (recall@10 ~0.86 at ef 16) and the default does not (~0.99).
 */
function clusteredSet(seed: number, count: number, clusters: number): number[][] {
  const shape = seededRandom(1);
  const centres = Array.from({ length: clusters }, () =>
    Array.from({ length: DIMENSION }, () => shape() * 2 - 1),
  );
  const patches = Array.from({ length: clusters }, () =>
    Array.from({ length: 16 }, () => Array.from({ length: DIMENSION }, () => (shape() * 2 - 1) * 0.3)),
  );
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const c = Math.floor(random() * clusters);
    const z = Array.from({ length: 16 }, () => random() * 2 - 1);
    return (centres[c] as number[]).map((x, j) => {
      const onPatch = z.reduce((sum, zi, l) => sum + zi * (patches[c]?.[l]?.[j] as number), 0);
      return Math.round((x + onPatch + (random() - 0.5) * 1.6) * 1e4) / 1e4;
    });
  });
}

/** The exact k nearest by squared L2 (ids), over float32 values as the API stores them. */
function exactNearest(
  ids: readonly string[],
  flat: Float32Array,
  query: readonly number[],
  k: number,
): string[] {
  const q = Float32Array.from(query);
  const best: { id: string; d: number }[] = [];
  for (let i = 0; i < ids.length; i++) {
    let d = 0;
    for (let j = 0; j < DIMENSION; j++) {
      const diff = (flat[i * DIMENSION + j] as number) - (q[j] as number);
      d += diff * diff;
    }
    if (best.length < k || d < (best[best.length - 1] as { d: number }).d) {
      best.push({ id: ids[i] as string, d });
      best.sort((a, b) => a.d - b.d);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.id);
}

type Call = Harness['call'];

async function upsertAll(
  call: Call,
  token: string,
  name: string,
  vectors: { id: string; vector: number[] }[],
) {
  for (let at = 0; at < vectors.length; at += 1000) {
    const res = await call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: vectors.slice(at, at + 1000) },
    });
    expect(res.status, res.text).to.equal(200);
  }
}

async function deleteAll(call: Call, token: string, name: string, ids: readonly string[]) {
  for (const id of ids) {
    const res = await call('DELETE', `/v1/collections/${name}/vectors/${id}`, { token });
    expect(res.status, res.text).to.equal(204);
  }
}

async function metric(h: Harness, sample: string): Promise<number> {
  return metricValue((await h.call('GET', '/metrics')).text, sample);
}

describe('vector-api HNSW collections', function () {
  this.timeout(300_000);
  let h: Harness;
  let token: string;

  before(async () => {
    h = await startHarness({ VECTOR_SNAPSHOT_EVERY: '100', VECTOR_SNAPSHOT_DELAY_MS: '0' });
    token = await h.token();
  });
  after(async () => {
    await h?.close();
  });

  describe('settings', () => {
    it('shows a collection its index settings (flat by default, the defaults filled in)', async () => {
      const name = `plain-${randomUUID().slice(0, 8)}`;
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name, dimension: 4, metric: 'l2' },
      });
      expect(created.status).to.equal(201);
      expect(created.body.index).to.deep.equal({ type: 'flat', m: 16, ef_construction: 100, ef_search: 100 });
      const tuned = `tuned-${randomUUID().slice(0, 8)}`;
      await h.call('POST', '/v1/collections', {
        token,
        body: { name: tuned, dimension: 4, metric: 'ip', index: { type: 'hnsw', m: 8, ef_search: 128 } },
      });
      const got = await h.call('GET', `/v1/collections/${tuned}`, { token });
      expect(got.status).to.equal(200);
      expect(got.body.index).to.deep.equal({ type: 'hnsw', m: 8, ef_construction: 100, ef_search: 128 });
      const listed = await h.call('GET', '/v1/collections', { token });
      expect(listed.body.collections.find((c: { name: string }) => c.name === tuned).index.type).to.equal(
        'hnsw',
      );
    });

    for (const [what, index] of [
      ['an unknown type', { type: 'ivf' }],
      ['m out of range', { type: 'hnsw', m: 1000 }],
      ['ef_construction of 0', { type: 'hnsw', ef_construction: 0 }],
      ['a fractional ef_search', { type: 'hnsw', ef_search: 1.5 }],
      ['an unknown field', { type: 'hnsw', nlist: 4 }],
      ['not an object', 'hnsw'],
    ] as const) {
      it(`refuses ${what} with a 400 naming the field`, async () => {
        const res = await h.call('POST', '/v1/collections', {
          token,
          body: { name: `bad-${randomUUID().slice(0, 8)}`, dimension: 4, metric: 'l2', index },
        });
        expect(res.status, res.text).to.equal(400);
        expect(res.text).to.match(/index/);
      });
    }

    it('documents the index settings and ef_search in the OpenAPI document, with an example', async () => {
      const doc = (await h.call('GET', '/openapi.json')).body;
      const create = JSON.stringify(doc.paths['/v1/collections'].post);
      expect(create).to.include('ef_construction').and.include('"hnsw"').and.include('examples');
      const search = JSON.stringify(doc.paths['/v1/collections/{name}/search'].post);
      expect(search).to.include('ef_search');
    });

    it('refuses an ef_search out of range on a search', async () => {
      const name = `ef-${randomUUID().slice(0, 8)}`;
      await h.seed(token, name, 2, [{ id: 'a', vector: [0, 0] }]);
      for (const ef of [0, 5000, 'many']) {
        const res = await h.call('POST', `/v1/collections/${name}/search`, {
          token,
          body: { vector: [0, 0], k: 1, ef_search: ef },
        });
        expect(res.status, res.text).to.equal(400);
        expect(res.text).to.match(/ef_search/);
      }
    });
  });

  describe('recall on a seeded 50k set', () => {
    const COUNT = 50_000;
    const name = `recall-${randomUUID().slice(0, 8)}`;
    const points = clusteredSet(2026, COUNT, 500);
    const ids = points.map((_, i) => `p${i}`);
    const flat = Float32Array.from(points.flat());
    const queries = clusteredSet(7, 100, 500).slice(0, 100);

    before(async () => {
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name, dimension: DIMENSION, metric: 'l2', index: { type: 'hnsw' } },
      });
      expect(created.status).to.equal(201);
      await upsertAll(
        h.call,
        token,
        name,
        points.map((vector, i) => ({ id: ids[i] as string, vector })),
      );
    });

    it('searches exactly while the graph is built in the background, and keeps writes made meanwhile', async () => {
      const before = await metric(h, 'vector_index_rebuilds_total');
      const first = await h.call('POST', `/v1/collections/${name}/search`, {
        token,
        body: { vector: queries[0], k: K },
      });
      expect(first.status, first.text).to.equal(200);
      // Loaded from the rows as a flat index (answered at once, exactly); the graph is on its way.
      expect(await metric(h, 'vector_index_builds_running')).to.equal(1);
      expect(first.body.results.map((hit: Hit) => hit.id)).to.deep.equal(
        exactNearest(ids, flat, queries[0] as number[], K),
      );
      const doomed = ids.slice(0, 20);
      const moved = points
        .slice(20, 40)
        .map((vector, i) => ({ id: ids[20 + i] as string, vector: vector.map((x) => -x) }));
      // All at once, so that they land while the graph is built (seconds, against milliseconds).
      await Promise.all([
        ...doomed.map((id) => deleteAll(h.call, token, name, [id])),
        upsertAll(h.call, token, name, moved),
      ]);
      expect(await metric(h, 'vector_index_builds_running'), 'the writes came after the build').to.equal(1);
      const current = new Map(ids.map((id, i) => [id, points[i] as number[]]));
      for (const id of doomed) current.delete(id);
      for (const v of moved) current.set(v.id, v.vector);
      const liveIds = [...current.keys()];
      const liveFlat = Float32Array.from([...current.values()].flat());
      const check = async () => {
        for (const query of [...points.slice(0, 40), ...queries.slice(0, 5)]) {
          const res = await h.call('POST', `/v1/collections/${name}/search`, {
            token,
            body: { vector: query, k: K, ef_search: 800 },
          });
          const got = res.body.results.map((hit: Hit) => hit.id);
          for (const id of got) expect(current.has(id), `deleted ${id} returned`).to.equal(true);
          expect(got).to.deep.equal(exactNearest(liveIds, liveFlat, query, K));
        }
      };
      await check(); // through the old (flat) index, masks and all
      await waitFor(
        'the graph',
        async () => (await metric(h, 'vector_index_rebuilds_total')) > before,
        120_000,
      );
      expect(await metric(h, 'vector_index_builds_running')).to.equal(0);
      await check(); // through the graph
      // Put the vectors back as they were, for the recall measures below.
      await upsertAll(
        h.call,
        token,
        name,
        points.slice(0, 40).map((vector, i) => ({ id: ids[i] as string, vector })),
      );
    });

    async function recall(efSearch?: number): Promise<number> {
      let found = 0;
      for (let at = 0; at < queries.length; at += 20) {
        const batch = queries.slice(at, at + 20);
        const res = await h.call('POST', `/v1/collections/${name}/search`, {
          token,
          body: { queries: batch, k: K, ...(efSearch ? { ef_search: efSearch } : {}) },
        });
        expect(res.status, res.text).to.equal(200);
        (res.body.results as Hit[][]).forEach((hits, i) => {
          const truth = new Set(exactNearest(ids, flat, batch[i] as number[], K));
          expect(hits).to.have.length(K);
          found += hits.filter((hit) => truth.has(hit.id)).length;
        });
      }
      return found / (queries.length * K);
    }

    it('finds at least 95% of the exact 10 nearest at the default settings', async () => {
      expect(await recall()).to.be.at.least(0.95);
    });

    it('takes ef_search per search: a narrow search misses neighbours a wide one finds', async () => {
      const narrow = await recall(1); // raised to k + 8 candidates: never fewer than k hits
      const wide = await recall(400);
      expect(narrow).to.be.below(0.95);
      expect(wide).to.be.above(narrow);
      expect(wide).to.be.at.least(0.99);
    });

    it('counts the graph against the cache budget: more bytes than the vectors alone', async () => {
      const bytes = await metric(h, 'vector_index_cache_bytes');
      expect(bytes).to.be.above(COUNT * DIMENSION * 4 + COUNT * 16 * 4);
    });
  });

  describe('deletes and updates, across two instances', () => {
    let second: SecondInstance;
    const name = `churn-${randomUUID().slice(0, 8)}`;
    const points = clusteredSet(99, 600, 20);
    const live = new Map<string, number[]>();
    /** Each live vector's metadata `n`, or null when it was replaced without metadata. */
    const numbers = new Map<string, number | null>();

    before(async () => {
      second = await startSecondInstance(h);
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name, dimension: DIMENSION, metric: 'l2', index: { type: 'hnsw', m: 8 } },
      });
      expect(created.status).to.equal(201);
      const vectors = points.map((vector, i) => ({ id: `c${i}`, vector, metadata: { n: i } }));
      await upsertAll(h.call, token, name, vectors);
      for (const v of vectors) live.set(v.id, v.vector);
      for (const v of vectors) numbers.set(v.id, v.metadata.n);
    });
    after(async () => {
      await second?.close();
    });

    const search = (call: Harness['call'], query: number[], extra: Record<string, unknown> = {}) =>
      call('POST', `/v1/collections/${name}/search`, { token, body: { vector: query, k: K, ...extra } });

    /** Every hit is live with its current vector's score, and each answer is the exact k nearest. */
    async function expectCurrent(call: Harness['call']): Promise<void> {
      const ids = [...live.keys()];
      const flat = Float32Array.from([...live.values()].flat());
      for (const query of points.slice(0, 40)) {
        const res = await search(call, query, { ef_search: 600 });
        expect(res.status, res.text).to.equal(200);
        const got = (res.body.results as Hit[]).map((hit) => hit.id);
        for (const id of got) expect(live.has(id), `stale or deleted hit ${id}`).to.equal(true);
        expect(got).to.deep.equal(exactNearest(ids, flat, query, K));
      }
    }

    it('never returns a deleted or replaced vector, on the instance that wrote or the other', async () => {
      await expectCurrent(h.call);
      await expectCurrent(second.call); // both instances now hold the graph
      const doomed = [...live.keys()].filter((_, i) => i % 10 === 0);
      await deleteAll(h.call, token, name, doomed);
      for (const id of doomed) live.delete(id);
      const moved = [...live.keys()].filter((_, i) => i % 7 === 1);
      const far = moved.map((id, i) => ({ id, vector: points[(i * 13) % points.length]!.map((x) => -x) }));
      await upsertAll(second.call, token, name, far);
      for (const v of far) live.set(v.id, v.vector);
      for (const v of far) numbers.set(v.id, null); // replaced without metadata: no filter on n matches
      await expectCurrent(h.call);
      await expectCurrent(second.call);
    });

    it('compacts the graph once a quarter of it is masked, and answers the same after', async () => {
      const before = await metric(h, 'vector_index_rebuilds_total');
      const doomed = [...live.keys()].filter((_, i) => i % 3 === 0);
      await deleteAll(h.call, token, name, doomed);
      for (const id of doomed) live.delete(id);
      await expectCurrent(h.call);
      await waitFor(
        'the graph to be compacted',
        async () => (await metric(h, 'vector_index_rebuilds_total')) > before,
      );
      await expectCurrent(h.call);
      await expectCurrent(second.call);
      const counted = await h.call('POST', `/v1/collections/${name}/count`, { token, body: {} });
      expect(counted.body.count).to.equal(live.size);
    });

    it('filters exactly over what is live: never a deleted vector, k whenever k match', async () => {
      for (const [filter, matches] of [
        [{ n: { $lt: 100 } }, (n: number | null) => n !== null && n < 100],
        [
          { n: { $in: [3, 5, 7, 9, 11, 13] } },
          (n: number | null) => n !== null && [3, 5, 7, 9, 11, 13].includes(n),
        ],
        // Replaced vectors have no `n`, so $not matches them too.
        [{ $not: { n: { $lt: 560 } } }, (n: number | null) => n === null || n >= 560],
      ] as const) {
        const members = new Map([...live].filter(([id]) => matches(numbers.get(id) ?? null)));
        expect(members.size).to.be.above(0);
        for (const query of points.slice(0, 10)) {
          const res = await search(h.call, query, { filter });
          expect(res.status, res.text).to.equal(200);
          const got = (res.body.results as Hit[]).map((hit) => hit.id);
          expect(got).to.deep.equal(
            exactNearest([...members.keys()], Float32Array.from([...members.values()].flat()), query, K),
          );
        }
      }
    });

    it('keeps masked deletes and the graph across a restart (snapshot), with identical results', async () => {
      const query = points[3] as number[];
      const before = await search(h.call, query);
      await waitFor('a snapshot', async () => (await metric(h, 'vector_index_snapshots_written_total')) > 0);
      await h.restart({ VECTOR_SNAPSHOT_EVERY: '100', VECTOR_SNAPSHOT_DELAY_MS: '0' });
      const after = await search(h.call, query);
      expect(await metric(h, 'vector_index_loads_total{source="snapshot"}')).to.equal(1);
      expect(after.body.results).to.deep.equal(before.body.results);
      await expectCurrent(h.call);
    });
  });

  describe('auto', () => {
    it(`searches flat below ${AUTO_HNSW_FROM} vectors and through HNSW from then on, exact below`, async () => {
      const name = `auto-${randomUUID().slice(0, 8)}`;
      await h.call('POST', '/v1/collections', {
        token,
        body: { name, dimension: DIMENSION, metric: 'l2', index: { type: 'auto' } },
      });
      const points = clusteredSet(5, AUTO_HNSW_FROM + 500, 200);
      const small = points.slice(0, 2000).map((vector, i) => ({ id: `a${i}`, vector }));
      await upsertAll(h.call, token, name, small);
      const ids = small.map((v) => v.id);
      const flat = Float32Array.from(small.flatMap((v) => v.vector));
      const exact = await h.call('POST', `/v1/collections/${name}/search`, {
        token,
        body: { vector: points[1], k: K, ef_search: 1 },
      });
      expect(exact.body.results.map((hit: Hit) => hit.id)).to.deep.equal(
        exactNearest(ids, flat, points[1]!, K),
      );
      const rebuilds = await metric(h, 'vector_index_rebuilds_total');
      const rest = points.slice(2000).map((vector, i) => ({ id: `b${i}`, vector }));
      await upsertAll(h.call, token, name, rest);
      const res = await h.call('POST', `/v1/collections/${name}/search`, {
        token,
        body: { vector: points[1], k: K },
      });
      expect(res.status).to.equal(200);
      expect(res.body.results).to.have.length(K);
      await waitFor(
        'the index to switch to HNSW',
        async () => (await metric(h, 'vector_index_rebuilds_total')) > rebuilds,
      );
    });
  });
});
