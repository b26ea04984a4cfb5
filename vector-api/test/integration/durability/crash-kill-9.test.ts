import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { randomVector, seededRandom } from '../../support/brute-force.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { requireTestEnv } from '../../support/test-env.ts';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer.ts';
import { apiCall } from '../../support/vector-api-harness.ts';
import { spawnVectorApi, type VectorApiProcess } from '../../support/vector-api-process.ts';
import { metricValue } from '../../support/wait-for.ts';

const ROUNDS = 8;
const WRITERS = 4;
const BATCH = 25;
const DIMENSION = 8;
const AUDIENCE = 'http://vector-api.test';

type Outcome = 'acknowledged' | 'unknown';
interface Batch {
  ids: string[];
  vectors: number[][];
  outcome: Outcome;
}

describe('kill -9 in the middle of sustained concurrent writes', function () {
  this.timeout(240_000);
  const seed = Date.now() % 100_000;
  const random = seededRandom(seed);
  const sub = `crash-${randomUUID()}`;
  const name = 'crash';
  let issuer: TestIssuer;
  let db: Awaited<ReturnType<typeof connectTestDatabase>>;
  let env: Record<string, string>;
  let port: number;
  let token: string;
  let api: VectorApiProcess | undefined;
  const batches: Batch[] = [];
  const deletes: { id: string; outcome: Outcome }[] = [];
  let snapshotLoads = 0;

  const call = (method: string, path: string, body?: unknown) =>
    apiCall(api!.url, method, path, { token, ...(body === undefined ? {} : { body }) });

  before(async () => {
    const { databaseUrl, redisUrl } = requireTestEnv();
    issuer = await startTestIssuer(AUDIENCE);
    db = await connectTestDatabase();
    port = await freePort();
    token = await issuer.sign({ sub, expiresIn: 3600 });
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ISSUER: issuer.issuer,
      JWKS_URI: issuer.jwksUri,
      VECTOR_API_URL: AUDIENCE,
      VECTOR_DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      MASTER_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: join(process.env.DATA_DIR ?? tmpdir(), 'vector-api', `crash-${randomUUID()}`),
      VECTOR_SNAPSHOT_EVERY: '150',
      VECTOR_SNAPSHOT_DELAY_MS: '0',
      VECTOR_MAX_K: '100000',
    };
    api = await spawnVectorApi(env, { port });
    const created = await call('POST', '/v1/collections', { name, dimension: DIMENSION, metric: 'l2' });
    expect(created.status).to.equal(201);
  });
  after(async () => {
    await api?.stop();
    await issuer?.close();
    await db?.close();
  });

  /** Writes batches until the process dies; each batch is acknowledged (200) or its fate unknown. */
  async function writer(round: number, w: number, stop: () => boolean): Promise<void> {
    for (let n = 0; !stop(); n++) {
      const ids = Array.from({ length: BATCH }, (_, i) => `r${round}-w${w}-b${n}-${i}`);
      const vectors = ids.map(() => randomVector(random, DIMENSION));
      const batch: Batch = { ids, vectors, outcome: 'unknown' };
      batches.push(batch);
      try {
        const res = await call('PUT', `/v1/collections/${name}/vectors`, {
          vectors: ids.map((id, i) => ({ id, vector: vectors[i], metadata: { round, w, n } })),
        });
        if (res.status !== 200) throw new Error(`upsert answered ${res.status}`);
        batch.outcome = 'acknowledged';
      } catch {
        return; // the process is gone: this batch may or may not have committed
      }
    }
  }

  /** Deletes vectors acknowledged earlier; a delete is acknowledged (204) or its fate unknown. */
  async function deleter(stop: () => boolean): Promise<void> {
    while (!stop()) {
      const candidates = batches.filter((b) => b.outcome === 'acknowledged');
      const batch = candidates[Math.floor(random() * candidates.length)];
      const id = batch?.ids[Math.floor(random() * BATCH)];
      if (!id || deletes.some((d) => d.id === id)) {
        await sleep(5);
        continue;
      }
      const entry: { id: string; outcome: Outcome } = { id, outcome: 'unknown' };
      deletes.push(entry);
      try {
        const res = await call('DELETE', `/v1/collections/${name}/vectors/${id}`);
        if (res.status !== 204) throw new Error(`delete answered ${res.status}`);
        entry.outcome = 'acknowledged';
      } catch {
        return;
      }
    }
  }

  async function searcher(stop: () => boolean): Promise<void> {
    while (!stop()) {
      try {
        await call('POST', `/v1/collections/${name}/search`, {
          vector: randomVector(random, DIMENSION),
          k: 5,
        });
      } catch {
        return;
      }
    }
  }

  /** What must hold after every restart: acknowledged writes are there and searchable, batches whole. */
  async function verify(): Promise<void> {
    const deleted = new Set(deletes.filter((d) => d.outcome === 'acknowledged').map((d) => d.id));
    const maybeDeleted = new Set(deletes.filter((d) => d.outcome === 'unknown').map((d) => d.id));
    const [collection] = await db.query<{ id: string }>('select id from collection where principal = $1', [
      sub,
    ]);
    const rows = await db.query<{ id: string }>(
      'select id from vector_record where collection_id = $1 and payload is not null',
      [collection!.id],
    );
    const stored = new Set(rows.map((r) => r.id));
    const search = await call('POST', `/v1/collections/${name}/search`, {
      vector: Array(DIMENSION).fill(0),
      k: Math.max(1, stored.size + 10),
    });
    expect(search.status, search.text).to.equal(200); // the index loads (snapshot + rows after it)
    const indexed = new Set((search.body.results as { id: string }[]).map((r) => r.id));
    expect(indexed.size).to.equal(stored.size);
    for (const id of stored) expect(indexed.has(id), `${id} in the index`).to.equal(true);

    for (const batch of batches) {
      const present = batch.ids.filter((id) => stored.has(id));
      const gone = batch.ids.filter((id) => !stored.has(id));
      if (batch.outcome === 'acknowledged') {
        for (const id of gone)
          expect(deleted.has(id) || maybeDeleted.has(id), `acknowledged ${id} lost`).to.equal(true);
      } else {
        // never half a batch (only acknowledged batches are ever deleted from)
        expect([0, BATCH], `unacknowledged batch ${batch.ids[0]}`).to.include(present.length);
      }
    }
    for (const id of deleted) expect(stored.has(id), `deleted ${id} is back`).to.equal(false);

    // searchable: each acknowledged vector of a sample is its own nearest neighbour
    const sample = batches.filter((b) => b.outcome === 'acknowledged').slice(-6);
    for (const batch of sample) {
      const i = batch.ids.findIndex((id) => !deleted.has(id) && !maybeDeleted.has(id));
      if (i < 0) continue;
      const hit = await call('POST', `/v1/collections/${name}/search`, { vector: batch.vectors[i], k: 1 });
      expect(hit.body.results[0]).to.include({ id: batch.ids[i], score: 0 });
    }
    const metrics = await apiCall(api!.url, 'GET', '/metrics');
    snapshotLoads += metricValue(metrics.text, 'vector_index_loads_total{source="snapshot"}');
  }

  it(`keeps every acknowledged write and never half a batch, over ${ROUNDS} kills (seed printed on failure)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      let dead = false;
      const stop = () => dead;
      const work = [
        ...Array.from({ length: WRITERS }, (_, w) => writer(round, w, stop)),
        deleter(stop),
        searcher(stop),
      ];
      await sleep(300 + random() * 1200);
      await api!.kill9();
      dead = true;
      await Promise.all(work);
      const log = api!.output();
      api = await spawnVectorApi(env, { port });
      try {
        await verify();
      } catch (err) {
        throw new Error(
          `round ${round} (seed ${seed}): ${(err as Error).message}\nlog before the kill:\n${log}`,
        );
      }
      // nothing failed to load or to snapshot in the run that was killed
      expect(log, `round ${round} log`).not.to.match(/"level":(50|60)|snapshot failed/);
    }
    const acknowledged = batches.filter((b) => b.outcome === 'acknowledged').length;
    expect(acknowledged).to.be.greaterThan(ROUNDS * WRITERS);
    expect(snapshotLoads, 'restarts that loaded from a snapshot').to.be.greaterThan(0);
    if (process.env.CRASH_TEST_STATS) {
      console.error({
        acknowledged,
        unknown: batches.length - acknowledged,
        deletes: deletes.length,
        snapshotLoads,
      });
    }
    await api!.stop();
    expect(api!.output()).not.to.match(/"level":(50|60)|snapshot failed/);
  });
});
