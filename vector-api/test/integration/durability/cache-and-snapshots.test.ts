import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { withLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { decodeSnapshotHeader, snapshotPath } from '../../../src/search/snapshot-file.ts';
import { purgeTombstones } from '../../../src/store/purge-tombstones.ts';
import { bruteForce, randomVector, seededRandom, type TestMetric } from '../../support/brute-force.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

const DIMENSION = 64;
const COUNT = 2000;
const K = 10;
type Db = Awaited<ReturnType<typeof connectTestDatabase>>;
type Result = { id: string; score: number; metadata: unknown };

describe('the index is a cache: restart, eviction and reload give identical results', function () {
  this.timeout(120_000);
  const random = seededRandom(99);
  const sub = `user-${randomUUID()}`;
  let h: Harness;
  let db: Db;
  let token: string;
  const collections = (['l2', 'ip', 'cosine'] as TestMetric[]).map((metric) => ({
    metric,
    name: `${metric}-${randomUUID().slice(0, 8)}`,
    id: '',
    records: new Map<string, number[]>(),
  }));
  const queries = Array.from({ length: 6 }, () => randomVector(random, DIMENSION));
  let expected: Result[][][];

  const put = async (name: string, vectors: { id: string; vector: number[]; metadata?: object }[]) => {
    const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(res.status, res.text).to.equal(200);
  };
  const metrics = async () => (await h.call('GET', '/metrics')).text;
  /** Every query on every collection, one request at a time (the same FAISS call shape each run). */
  async function searchAll(): Promise<Result[][][]> {
    const all: Result[][][] = [];
    for (const c of collections) {
      const perQuery: Result[][] = [];
      for (const vector of queries) {
        const res = await h.call('POST', `/v1/collections/${c.name}/search`, {
          token,
          body: { vector, k: K },
        });
        expect(res.status, res.text).to.equal(200);
        perQuery.push(res.body.results);
      }
      all.push(perQuery);
    }
    return all;
  }
  function expectBruteForce(results: Result[][][]) {
    collections.forEach((c, i) => {
      queries.forEach((q, j) => {
        const want = bruteForce(c.records, q, K, c.metric).map((r) => r.id);
        expect(results[i]![j]!.map((r) => r.id)).to.deep.equal(want);
      });
    });
  }
  const snapshotVersion = async (c: (typeof collections)[number]) => {
    const bytes = await readFile(snapshotPath(h.dataDir, sub, c.id)).catch(() => null);
    return bytes ? (decodeSnapshotHeader(bytes)?.header.version ?? null) : null;
  };

  before(async () => {
    db = await connectTestDatabase();
    h = await startHarness({ VECTOR_SNAPSHOT_EVERY: '1', VECTOR_SNAPSHOT_DELAY_MS: '0' });
    token = await h.issuer.sign({ sub });
    for (const c of collections) {
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name: c.name, dimension: DIMENSION, metric: c.metric },
      });
      expect(created.status).to.equal(201);
      c.id = (
        await db.query<{ id: string }>('select id from collection where principal = $1 and name = $2', [
          sub,
          c.name,
        ])
      )[0]!.id;
      for (let start = 0; start < COUNT; start += 500) {
        const batch = Array.from({ length: 500 }, (_, i) => {
          const vector = randomVector(random, DIMENSION);
          c.records.set(`v${start + i}`, vector);
          return { id: `v${start + i}`, vector, metadata: { n: start + i, tag: `t${(start + i) % 7}` } };
        });
        await put(c.name, batch);
      }
    }
    await searchAll(); // loads every index; the worker snapshots each of them
    await waitFor('a snapshot of every collection', async () =>
      (await Promise.all(collections.map(snapshotVersion))).every((v) => v !== null),
    );
    // From here on no new snapshots: the changes below must be replayed from the rows after them.
    await h.restart({ VECTOR_SNAPSHOT_EVERY: '0' });
    for (const c of collections) {
      const replaced = Array.from({ length: 40 }, (_, i) => {
        const vector = randomVector(random, DIMENSION);
        c.records.set(`v${i * 3}`, vector);
        return { id: `v${i * 3}`, vector, metadata: { n: -i } };
      });
      await put(c.name, replaced);
      for (const i of [1, 4, 7, 10, 13]) {
        expect(
          (await h.call('DELETE', `/v1/collections/${c.name}/vectors/v${i}`, { token })).status,
        ).to.equal(204);
        c.records.delete(`v${i}`);
      }
      const added = Array.from({ length: 25 }, (_, i) => {
        const vector = randomVector(random, DIMENSION);
        c.records.set(`new${i}`, vector);
        return { id: `new${i}`, vector };
      });
      await put(c.name, added);
    }
    expected = await searchAll();
    expectBruteForce(expected);
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  it('rebuilds from an encrypted snapshot plus the rows written after it (tombstones included)', async () => {
    for (const c of collections) {
      const [row] = await db.query<{ version: string }>('select version from collection where id = $1', [
        c.id,
      ]);
      expect(await snapshotVersion(c)).to.be.below(Number(row!.version));
    }
    await h.restart();
    expect(await searchAll()).to.deep.equal(expected);
    expect(metricValue(await metrics(), 'vector_index_loads_total{source="snapshot"}')).to.equal(3);
    expect(metricValue(await metrics(), 'vector_index_loads_total{source="records"}')).to.equal(0);
  });

  it('evicts least recently used indexes to stay within VECTOR_CACHE_MB, and reloads them the same', async () => {
    await h.restart({ VECTOR_CACHE_MB: '1' }); // one collection is ~0.6 MB: two do not fit
    for (let round = 0; round < 3; round++) expect(await searchAll()).to.deep.equal(expected);
    const text = await metrics();
    expect(metricValue(text, 'vector_index_evictions_total')).to.be.at.least(6);
    expect(metricValue(text, 'vector_index_cache_bytes')).to.be.at.most(1024 * 1024);
    expect(metricValue(text, 'vector_index_cache_entries')).to.equal(1);
    await h.restart({ VECTOR_CACHE_MB: '1024' });
  });

  it('loads every row instead once tombstones after the snapshot were purged', async () => {
    const orm = await openVectorOrm(h.env.VECTOR_DATABASE_URL as string);
    try {
      await db.query(
        `update vector_record set updated_at = now() - interval '2 days'
         where payload is null and collection_id = any($1::uuid[])`,
        [collections.map((c) => c.id)],
      );
      expect(await purgeTombstones(orm.em.fork(), 86_400)).to.be.at.least(15);
    } finally {
      await orm.close(true);
    }
    await h.restart();
    expect(await searchAll()).to.deep.equal(expected);
    expect(metricValue(await metrics(), 'vector_index_loads_total{source="records"}')).to.equal(3);
  });

  it('ignores a damaged snapshot and loads from the rows', async () => {
    await h.restart({ VECTOR_SNAPSHOT_EVERY: '1' });
    await searchAll();
    const c = collections[0]!;
    await waitFor('a fresh snapshot', async () => {
      const [row] = await db.query<{ version: string }>('select version from collection where id = $1', [
        c.id,
      ]);
      return (await snapshotVersion(c)) === Number(row!.version);
    });
    const path = snapshotPath(h.dataDir, sub, c.id);
    const bytes = await readFile(path);
    bytes[bytes.length - 100]! ^= 0xff;
    await writeFile(path, bytes);
    // Tampering is loud: the refused snapshot is a warning (and counted, and audited).
    await withLogLines(
      [
        {
          service: 'vector-api',
          level: 'warn',
          msg: 'stored data failed authentication: snapshot file refused',
        },
      ],
      async () => {
        await h.restart({ VECTOR_SNAPSHOT_EVERY: '0' });
        expect(await searchAll()).to.deep.equal(expected);
      },
    );
    const text = await metrics();
    expect(metricValue(text, 'vector_index_loads_total{source="records"}')).to.equal(1);
    expect(metricValue(text, 'vector_index_loads_total{source="snapshot"}')).to.equal(2);
    expect(await snapshotVersion(c)).to.equal(null); // deleted, to be written again
  });
});
