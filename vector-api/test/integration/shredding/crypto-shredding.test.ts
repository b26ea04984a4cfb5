import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  closeRedis,
  createLogger,
  createRedis,
  publishPrincipalDeleted,
  type Redis,
} from '@vectorauth/shared';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { principalSnapshotDir } from '../../../src/search/snapshot-file.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type SecondInstance, startSecondInstance } from '../../support/second-instance.ts';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

type Db = Awaited<ReturnType<typeof connectTestDatabase>>;
const SNAPSHOTS = { VECTOR_SNAPSHOT_EVERY: '1', VECTOR_SNAPSHOT_DELAY_MS: '0' };

describe('crypto-shredding a principal', function () {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'permission denied' }]);
  this.timeout(60_000);
  let issuer: TestIssuer;
  let a: Harness;
  let b: SecondInstance;
  let db: Db;
  let redis: Redis;
  let admin: string;

  interface Principal {
    sub: string;
    token: string;
    name: string;
    collectionId: string;
  }

  /** A principal with one collection of two vectors (indexed as `type`: flat, or an HNSW graph). */
  async function principalWithData(type: 'flat' | 'hnsw' = 'flat'): Promise<Principal> {
    const sub = `user-${randomUUID()}`;
    const token = await issuer.sign({ sub });
    const name = `docs-${randomUUID().slice(0, 8)}`;
    expect(
      (
        await a.call('POST', '/v1/collections', {
          token,
          body: { name, dimension: 2, metric: 'ip', index: { type } },
        })
      ).status,
    ).to.equal(201);
    const put = await a.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: {
        vectors: [
          { id: 'p', vector: [1, 0], metadata: { private: `${sub}-p` } },
          { id: 'q', vector: [0, 1] },
        ],
      },
    });
    expect(put.status).to.equal(200);
    const [row] = await db.query<{ id: string }>('select id from collection where principal = $1', [sub]);
    return { sub, token, name, collectionId: row!.id };
  }

  async function searchOn(h: Harness | SecondInstance, p: Principal) {
    return h.call('POST', `/v1/collections/${p.name}/search`, {
      token: p.token,
      body: { vector: [1, 0], k: 2 },
    });
  }

  async function snapshotsOf(h: Harness | SecondInstance, p: Principal): Promise<boolean> {
    return existsSync(principalSnapshotDir(h.dataDir, p.sub));
  }

  before(async () => {
    issuer = await startTestIssuer('http://vector-api.test');
    a = await startHarness(SNAPSHOTS, { issuer });
    b = await startSecondInstance(a);
    db = await connectTestDatabase();
    redis = createRedis(
      a.env.REDIS_URL as string,
      'shredding-test',
      createLogger({ name: 't', level: 'silent' }),
    );
    await waitFor('redis', () => redis.status === 'ready');
    admin = await issuer.sign({ sub: 'operator-1', scope: 'admin' });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await issuer?.close();
    await db?.close();
    if (redis) await closeRedis(redis);
  });

  describe('through DELETE /v1/admin/principals/:sub', () => {
    // Restored rows of a shredded principal fail authentication: loud, by design.
    expectLogLines([
      {
        service: 'vector-api',
        level: 'warn',
        msg: 'stored data failed authentication: encrypted row refused',
      },
    ]);
    let victim: Principal;
    let bystander: Principal;
    let saved: { collection: Record<string, unknown>; records: Record<string, unknown>[] };

    before(async () => {
      victim = await principalWithData('hnsw'); // its snapshots hold a graph
      bystander = await principalWithData();
      for (const h of [a, b]) expect((await searchOn(h, victim)).status).to.equal(200);
      await waitFor(
        'snapshots on both instances',
        async () => (await snapshotsOf(a, victim)) && snapshotsOf(b, victim),
      );
      const [collection] = await db.query('select * from collection where id = $1', [victim.collectionId]);
      saved = {
        collection: collection!,
        records: await db.query('select * from vector_record where collection_id = $1', [
          victim.collectionId,
        ]),
      };
      // Proves the order: deleting a collection while its owner's data key still exists is refused.
      await db.query(`
        create or replace function test_key_first() returns trigger language plpgsql as $$
        begin
          if exists (select 1 from principal_key where principal = old.principal) then
            raise exception 'collection deleted before its data key';
          end if;
          return old;
        end $$`);
      await db.query(
        'create trigger test_key_first before delete on collection for each row execute function test_key_first()',
      );
    });
    after(async () => {
      await db.query('drop trigger if exists test_key_first on collection');
      await db.query('drop function if exists test_key_first()');
    });

    it('needs the admin scope', async () => {
      const path = `/v1/admin/principals/${encodeURIComponent(victim.sub)}`;
      expect((await a.call('DELETE', path)).status).to.equal(401);
      const res = await a.call('DELETE', path, { token: victim.token });
      expect(res.status).to.equal(403);
      expect(res.headers.get('www-authenticate')).to.contain('scope="admin"');
      expect((await searchOn(a, victim)).status).to.equal(200);
    });

    it('destroys the data key first, then the collections, records and snapshots, and audits it', async () => {
      const res = await a.call('DELETE', `/v1/admin/principals/${encodeURIComponent(victim.sub)}`, {
        token: admin,
        headers: { 'x-request-id': 'shred-req-1' },
      });
      expect(res.status, res.text).to.equal(204);
      expect(await db.query('select 1 from principal_key where principal = $1', [victim.sub])).to.have.length(
        0,
      );
      expect(await db.query('select 1 from collection where principal = $1', [victim.sub])).to.have.length(0);
      expect(
        await db.query('select 1 from vector_record where collection_id = $1', [victim.collectionId]),
      ).to.have.length(0);
      expect(await snapshotsOf(a, victim)).to.equal(false);
      await waitFor('the other instance to drop its snapshots', async () => !(await snapshotsOf(b, victim)));
      const audit = await db.query<{ actor: string; action: string; request_id: string; detail: object }>(
        "select actor, action, request_id, detail from audit_event where subject = $1 and action = 'principal.shredded'",
        [victim.sub],
      );
      expect(audit).to.deep.equal([
        {
          actor: 'operator-1',
          action: 'principal.shredded',
          request_id: 'shred-req-1',
          detail: { via: 'admin_api', key_destroyed: true, collections: 1, records: 2 },
        },
      ]);
      expect((await searchOn(a, victim)).status).to.equal(404);
      expect((await searchOn(b, victim)).status).to.equal(404);
    });

    it('leaves nothing that decrypts: restored rows of the principal are unreadable on every instance', async () => {
      const c = saved.collection;
      await db.query('alter table collection disable trigger test_key_first');
      await db.query(
        `insert into collection (id, principal, name, dimension, metric, version, purged_seq)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [c.id, c.principal, c.name, c.dimension, c.metric, c.version, c.purged_seq],
      );
      for (const r of saved.records) {
        await db.query(
          'insert into vector_record (collection_id, id, seq, codec, payload) values ($1, $2, $3, $4, $5)',
          [r.collection_id, r.id, r.seq, r.codec, r.payload],
        );
      }
      for (const h of [a, b]) {
        const get = await h.call('GET', `/v1/collections/${victim.name}/vectors/p`, { token: victim.token });
        expect(get.status).to.equal(409);
        expect(get.text).not.to.contain(`${victim.sub}-p`);
        const search = await searchOn(h, victim);
        expect(search.status).to.equal(409);
        expect(search.text).not.to.contain(`${victim.sub}-p`);
      }
      // a new data key for the principal does not open the old rows either
      await a.call('PUT', `/v1/collections/${victim.name}/vectors`, {
        token: victim.token,
        body: { vectors: [{ id: 'fresh', vector: [1, 1] }] },
      });
      expect(
        (await a.call('GET', `/v1/collections/${victim.name}/vectors/p`, { token: victim.token })).status,
      ).to.equal(409);
      await db.query('delete from collection where id = $1', [c.id]);
      await db.query('delete from principal_key where principal = $1', [victim.sub]);
      await db.query('alter table collection enable trigger test_key_first');
    });

    it('is idempotent, and leaves everyone else alone', async () => {
      const again = await a.call('DELETE', `/v1/admin/principals/${encodeURIComponent(victim.sub)}`, {
        token: admin,
      });
      expect(again.status).to.equal(204);
      const audit = await db.query<{ detail: { key_destroyed: boolean; collections: number } }>(
        'select detail from audit_event where subject = $1 order by id',
        [victim.sub],
      );
      expect(audit.at(-1)?.detail).to.include({ key_destroyed: false, collections: 0 });
      const mine = await a.call('GET', `/v1/collections/${bystander.name}/vectors/p`, {
        token: bystander.token,
      });
      expect(mine.body.metadata).to.deep.equal({ private: `${bystander.sub}-p` });
      expect((await searchOn(b, bystander)).status).to.equal(200);
    });
  });

  describe("through the auth server's principal.deleted event", () => {
    it('shreds the principal once, acknowledged, whichever instance takes it', async () => {
      const victim = await principalWithData();
      expect((await searchOn(b, victim)).status).to.equal(200);
      const cachedOnB = async () =>
        metricValue((await b.call('GET', '/metrics')).text, 'vector_index_cache_entries');
      const before = await cachedOnB();
      expect(before).to.be.greaterThan(0);
      const entryId = await publishPrincipalDeleted(redis, victim.sub);
      await waitFor('the event to be handled', async () => {
        const rows = await db.query('select 1 from audit_event where subject = $1', [victim.sub]);
        return rows.length > 0;
      });
      expect(await db.query('select 1 from principal_key where principal = $1', [victim.sub])).to.have.length(
        0,
      );
      expect(await db.query('select 1 from collection where principal = $1', [victim.sub])).to.have.length(0);
      const audit = await db.query('select actor, request_id, detail from audit_event where subject = $1', [
        victim.sub,
      ]);
      expect(audit).to.deep.equal([
        {
          actor: 'auth-server',
          request_id: entryId,
          detail: { via: 'principal_event', key_destroyed: true, collections: 1, records: 2 },
        },
      ]);
      await waitFor('no pending entry', async () => {
        const pending = (await redis.xpending('vectorauth:principal-events', 'vector-api')) as [number];
        return pending[0] === 0;
      });
      // whichever instance shredded, the other was told to drop its cached index and snapshot files
      await waitFor('instance b to forget the principal', async () => !(await snapshotsOf(b, victim)));
      await waitFor('instance b to drop the cached index', async () => (await cachedOnB()) === before - 1);
      expect((await searchOn(b, victim)).status).to.equal(404);
    });
  });
});
