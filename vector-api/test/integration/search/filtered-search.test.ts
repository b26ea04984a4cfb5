import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { compileMetadataFilter, parseMetadataFilter } from '../../../src/search/metadata-filter.ts';
import { bruteForce, randomVector, seededRandom, type TestMetric } from '../../support/brute-force.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

const DIMENSION = 16;
const COUNT = 400;
const K = 10;
type Meta = Record<string, unknown>;
type Hit = { id: string; score: number; metadata: Meta | null };

/** Metadata with every kind of value a filter meets: numbers, strings, booleans, lists, dates, nesting, gaps. */
function metadataOf(n: number, random: () => number): Meta | null {
  if (n % 23 === 0) return null;
  const meta: Meta = {
    n,
    tag: ['red', 'green', 'blue'][n % 3],
    even: n % 2 === 0,
    day: new Date(Date.UTC(2026, 0, 1 + (n % 60))).toISOString().slice(0, 10),
    tags: n % 5 === 0 ? ['a', 'b'] : ['c'],
    nested: { level: n % 4 },
    score: Math.round(random() * 1000) / 10,
  };
  if (n % 7 === 0) delete meta.tag;
  if (n === 42) meta.unique = 'only-me';
  return meta;
}

describe('vector-api filtered search, batch search and count', function () {
  this.timeout(120_000);
  let h: Harness;
  let token: string;
  const random = seededRandom(15015);
  const collections = new Map<
    string,
    { name: string; records: Map<string, number[]>; meta: Map<string, Meta | null> }
  >();
  /** Each metric flat and as an HNSW graph (filters on a graph are exact too). */
  const VARIANTS = [
    ['l2', 'l2', 'flat'],
    ['cosine', 'cosine', 'flat'],
    ['l2 hnsw', 'l2', 'hnsw'],
    ['cosine hnsw', 'cosine', 'hnsw'],
  ] as const;
  const queries = Array.from({ length: 4 }, () => randomVector(random, DIMENSION));

  before(async () => {
    h = await startHarness();
    token = await h.token();
    for (const [key, metric, type] of VARIANTS) {
      const name = `filter-${metric}-${type}-${randomUUID().slice(0, 8)}`;
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name, dimension: DIMENSION, metric, index: { type } },
      });
      expect(created.status).to.equal(201);
      const records = new Map<string, number[]>();
      const meta = new Map<string, Meta | null>();
      const vectors = Array.from({ length: COUNT }, (_, n) => {
        const vector = randomVector(random, DIMENSION);
        records.set(`v${n}`, vector);
        meta.set(`v${n}`, metadataOf(n, random));
        const metadata = meta.get(`v${n}`);
        return { id: `v${n}`, vector, ...(metadata ? { metadata } : {}) };
      });
      const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      collections.set(key, { name, records, meta });
      if (type === 'hnsw') await search(name, { vector: queries[0], k: 1 }); // loads it, starts its graph
    }
    // Loaded from the rows as flat indexes, searched exactly; wait for both graphs.
    await waitFor(
      'the graphs',
      async () => metricValue((await h.call('GET', '/metrics')).text, 'vector_index_rebuilds_total') >= 2,
    );
  });
  after(async () => {
    await h?.close();
  });

  async function search(name: string, body: object): Promise<Hit[] | Hit[][]> {
    const res = await h.call('POST', `/v1/collections/${name}/search`, { token, body });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.results;
  }

  /** The exact answer: brute force over the records the filter's own predicate selects. */
  function expected(key: string, metric: TestMetric, filter: object, query: number[], k = K) {
    const { records, meta } = collections.get(key)!;
    const matches = compileMetadataFilter(parseMetadataFilter(filter));
    const subset = new Map([...records].filter(([id]) => matches((meta.get(id) ?? null) as never)));
    return { ids: bruteForce(subset, query, k, metric).map((r) => r.id), size: subset.size };
  }

  const FILTERS: Record<string, object> = {
    '$eq string': { tag: { $eq: 'red' } },
    'bare value': { tag: 'green' },
    '$ne (missing fields match)': { tag: { $ne: 'red' } },
    $in: { tag: { $in: ['red', 'blue'] } },
    $nin: { tag: { $nin: ['red', 'blue'] } },
    '$gt/$lte numbers': { n: { $gt: 100, $lte: 250 } },
    '$gte/$lt numbers': { score: { $gte: 20, $lt: 60 } },
    'date range': { day: { $gte: '2026-01-10', $lt: '2026-01-20' } },
    '$exists true': { tag: { $exists: true } },
    '$exists false': { tag: { $exists: false } },
    boolean: { even: true },
    'list element': { tags: 'a' },
    'nested path': { 'nested.level': { $in: [1, 3] } },
    $and: { $and: [{ even: true }, { n: { $lt: 200 } }] },
    $or: { $or: [{ tag: 'red' }, { 'nested.level': 0 }] },
    $not: { $not: { tag: 'red' } },
    'deep mix': { $or: [{ $and: [{ tag: 'blue' }, { $not: { even: true } }] }, { n: { $in: [5, 6, 7] } }] },
    'matches nothing': { tag: 'purple' },
    'matches exactly one': { unique: 'only-me' },
    'matches k - 1': { n: { $in: [3, 33, 63, 93, 123, 153, 183, 213, 243] } },
    'matches everything': { $or: [{ n: { $exists: true } }, { n: { $exists: false } }] },
  };

  for (const [key, metric] of VARIANTS) {
    for (const [name, filter] of Object.entries(FILTERS)) {
      it(`${key}: ${name} equals a brute-force filtered search`, async () => {
        const { name: collection, meta } = collections.get(key)!;
        for (const query of queries.slice(0, 2)) {
          const want = expected(key, metric, filter, query);
          const got = (await search(collection, { vector: query, k: K, filter })) as Hit[];
          expect(got.map((r) => r.id)).to.deep.equal(want.ids);
          expect(got).to.have.length(Math.min(K, want.size));
          for (const hit of got) expect(hit.metadata).to.deep.equal(meta.get(hit.id) ?? null);
        }
        const count = await h.call('POST', `/v1/collections/${collection}/count`, {
          token,
          body: { filter },
        });
        expect(count.status).to.equal(200);
        expect(count.body).to.deep.equal({ count: expected(key, metric, filter, queries[0]!).size });
      });
    }
  }

  it('the filter cases above include 0, 1, k-1 and all matches', () => {
    const sizes = ['matches nothing', 'matches exactly one', 'matches k - 1', 'matches everything'].map(
      (n) => expected('l2', 'l2', FILTERS[n]!, queries[0]!).size,
    );
    expect(sizes).to.deep.equal([0, 1, K - 1, COUNT]);
  });

  it('answers a batch of queries in query order, as the same queries one at a time', async () => {
    const { name } = collections.get('cosine')!;
    const filter = { even: true };
    const batch = (await search(name, { queries, k: 5, filter })) as Hit[][];
    expect(batch).to.have.length(queries.length);
    for (const [i, query] of queries.entries()) {
      expect(batch[i]).to.deep.equal(await search(name, { vector: query, k: 5, filter }));
    }
    const unfiltered = (await search(name, { queries: [queries[1]], k: 3 })) as Hit[][];
    expect(unfiltered).to.deep.equal([await search(name, { vector: queries[1], k: 3 })]);
  });

  it('carries what `include` asks for: metadata by default, the stored vector, or both', async () => {
    const { name, records, meta } = collections.get('l2')!;
    const query = queries[2]!;
    const plain = (await search(name, { vector: query, k: 3 })) as Hit[];
    for (const hit of plain) expect(hit).to.have.all.keys('id', 'score', 'metadata');
    const both = (await search(name, { vector: query, k: 3, include: ['metadata', 'vector'] })) as (Hit & {
      vector: number[];
    })[];
    expect(both.map((h) => h.id)).to.deep.equal(plain.map((h) => h.id));
    for (const hit of both) {
      expect(hit.vector).to.deep.equal(records.get(hit.id)!.map(Math.fround)); // as stored: float32
      expect(hit.metadata).to.deep.equal(meta.get(hit.id) ?? null);
    }
    const [batch] = (await search(name, { queries: [query], k: 3, include: ['vector'] })) as Hit[][];
    for (const [i, hit] of batch!.entries()) {
      expect(hit).to.have.all.keys('id', 'score', 'vector');
      expect(hit).to.deep.include({ id: both[i]!.id, vector: both[i]!.vector });
    }
    const id = both[0]!.id;
    const onlyMeta = await h.call('GET', `/v1/collections/${name}/vectors/${id}?include=metadata`, { token });
    expect(onlyMeta.body).to.deep.equal({ id, metadata: meta.get(id) ?? null });
    const onlyVector = await h.call('GET', `/v1/collections/${name}/vectors/${id}?include=vector`, { token });
    expect(onlyVector.body).to.deep.equal({ id, vector: both[0]!.vector });
    const whole = await h.call('GET', `/v1/collections/${name}/vectors/${id}`, { token });
    expect(whole.body).to.deep.equal({ id, vector: both[0]!.vector, metadata: meta.get(id) ?? null });
    for (const bad of ['score', 'vector,vector,metadata', '']) {
      const res = await h.call('GET', `/v1/collections/${name}/vectors/${id}?include=${bad}`, { token });
      expect(res.status, bad).to.equal(400);
    }
    const refused = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: query, k: 3, include: ['everything'] },
    });
    expect(refused.status).to.equal(400);
  });

  it('sees a metadata change and a delete on the next filtered search and count', async () => {
    const { name, records, meta } = collections.get('l2')!;
    const filter = { unique: 'only-me' };
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: [{ id: 'v43', vector: records.get('v43'), metadata: { unique: 'only-me' } }] },
    });
    expect(put.status).to.equal(200);
    meta.set('v43', { unique: 'only-me' });
    let got = (await search(name, { vector: queries[0], k: K, filter })) as Hit[];
    expect(got.map((r) => r.id).sort()).to.deep.equal(['v42', 'v43']);
    expect((await h.call('DELETE', `/v1/collections/${name}/vectors/v42`, { token })).status).to.equal(204);
    records.delete('v42');
    meta.delete('v42');
    got = (await search(name, { vector: queries[0], k: K, filter })) as Hit[];
    expect(got.map((r) => r.id)).to.deep.equal(['v43']);
    const count = await h.call('POST', `/v1/collections/${name}/count`, { token, body: { filter } });
    expect(count.body).to.deep.equal({ count: 1 });
    const all = await h.call('POST', `/v1/collections/${name}/count`, { token, body: {} });
    expect(all.body).to.deep.equal({ count: COUNT - 1 });
  });

  const BAD: [string, object, RegExp][] = [
    ['an unknown operator', { n: { $regex: 'x' } }, /filter\.n\.\$regex: is not an operator/],
    ['an unknown combinator', { $nor: [{ n: 1 }] }, /filter\.\$nor: is not an operator here/],
    ['an empty $or', { $or: [] }, /filter\.\$or: must be a non-empty list/],
    ['$in without a list', { n: { $in: 3 } }, /filter\.n\.\$in: must be a list/],
    ['a range over a word', { n: { $gt: 'big' } }, /must be a finite number or an ISO 8601 date/],
    ['$exists not boolean', { n: { $exists: 1 } }, /must be true or false/],
    ['an object value', { n: { $eq: { a: 1 } } }, /must be a string, a number, a boolean or null/],
    ['an empty filter', {}, /filter: must name at least one field or operator/],
    ['too deep', nested(12), /nested deeper than 8 levels/],
    ['too many values', { n: { $in: Array.from({ length: 1025 }, (_, i) => i) } }, /more than 1024 values/],
    [
      'too many conditions',
      { $or: Array.from({ length: 300 }, (_, i) => ({ n: i })) },
      /more than 256 conditions/,
    ],
  ];
  for (const [what, filter, message] of BAD) {
    it(`refuses ${what} with a 400 naming it, on search and on count`, async () => {
      const { name } = collections.get('l2')!;
      for (const path of ['search', 'count']) {
        const body = path === 'search' ? { vector: queries[0], k: 3, filter } : { filter };
        const res = await h.call('POST', `/v1/collections/${name}/${path}`, { token, body });
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(res.body.error).to.equal('invalid_request');
        expect(res.body.message).to.match(message);
      }
    });
  }

  it('refuses a search with both or neither of vector and queries, and too many queries', async () => {
    const { name } = collections.get('l2')!;
    for (const body of [
      { vector: queries[0], queries, k: 3 },
      { k: 3 },
      { queries: Array.from({ length: 65 }, () => queries[0]), k: 3 },
      { queries: [queries[0], [1, 2]], k: 3 },
    ]) {
      const res = await h.call('POST', `/v1/collections/${name}/search`, { token, body });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
    }
  });
});

function nested(levels: number): object {
  let filter: object = { n: 1 };
  for (let i = 0; i < levels; i++) filter = { $not: filter };
  return filter;
}
