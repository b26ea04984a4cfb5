import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createEncryption } from '../../../src/store/encryption.ts';
import { ImportError, importFaissIndex } from '../../../src/store/import-faiss-index.ts';
import { randomVector, seededRandom } from '../../support/brute-force.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { runScript } from '../../support/run-script.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

interface Fixture {
  vectors: number[][];
  queries: number[][];
  answers: { labels: number[]; distances: number[] }[];
}

describe('npm run import: an existing FAISS index into an encrypted collection', function () {
  this.timeout(60_000);
  let h: Harness;
  let db: Awaited<ReturnType<typeof connectTestDatabase>>;
  let dir: string;
  const sub = `importer-${randomUUID()}`;
  let token: string;

  async function fixture(file: string, args: string[]): Promise<Fixture> {
    const run = await runScript(
      'vector-api/test/support/faiss-fixture.ts',
      ['--out', join(dir, file), ...args],
      {},
    );
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as Fixture;
  }
  const importCli = (args: string[]) =>
    runScript('scripts/import.ts', ['--principal', sub, ...args], {
      VECTOR_DATABASE_URL: h.env.VECTOR_DATABASE_URL,
      MASTER_KEY: h.env.MASTER_KEY,
      DATA_DIR: h.dataDir,
    });
  const collection = (name: string) => h.call('GET', `/v1/collections/${name}`, { token });

  before(async () => {
    h = await startHarness();
    db = await connectTestDatabase();
    token = await h.issuer.sign({ sub });
    dir = join(h.dataDir, '..', `import-${randomUUID()}`);
    mkdirSync(dir, { recursive: true });
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  it('imports a flat L2 index with its metadata; searches answer as FAISS did', async () => {
    const f = await fixture('l2.index', [
      '--metric',
      'l2',
      '--dimension',
      '16',
      '--count',
      '500',
      '--queries',
      '5',
    ]);
    writeFileSync(join(dir, 'l2.json'), JSON.stringify(f.vectors.map((_, i) => ({ title: `doc ${i}` }))));
    const run = await importCli([
      '--collection',
      'imported',
      '--index',
      join(dir, 'l2.index'),
      '--metadata',
      join(dir, 'l2.json'),
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('imported 500 vectors into new collection "imported" (l2, dimension 16)');
    const col = await collection('imported');
    expect(col.body).to.include({ dimension: 16, metric: 'l2', count: 500 });
    for (const [q, query] of f.queries.entries()) {
      const res = await h.call('POST', '/v1/collections/imported/search', {
        token,
        body: { vector: query, k: 10 },
      });
      expect(res.status).to.equal(200);
      const want = f.answers[q]!;
      expect(res.body.results.map((r: { id: string }) => r.id)).to.deep.equal(want.labels.map(String));
      res.body.results.forEach((r: { score: number; metadata: unknown; id: string }, j: number) => {
        expect(r.score).to.be.closeTo(want.distances[j]!, 1e-4);
        expect(r.metadata).to.deep.equal({ title: `doc ${r.id}` });
      });
    }
    const stored = await db.query<{ codec: string }>(
      'select distinct r.codec from vector_record r join collection c on c.id = r.collection_id where c.principal = $1',
      [sub],
    );
    expect(stored).to.deep.equal([{ codec: 'aes-256-gcm-v1' }]);
  });

  it('imports nothing when the dimension does not match the existing collection', async () => {
    await fixture('d8.index', ['--metric', 'l2', '--dimension', '8', '--count', '50']);
    const before = (await collection('imported')).body;
    const run = await importCli(['--collection', 'imported', '--index', join(dir, 'd8.index')]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('dimension mismatch').and.contain('nothing was imported');
    const after = (await collection('imported')).body;
    expect(after).to.deep.equal(before);
  });

  it('imports nothing, and creates no collection, when the metadata does not fit', async () => {
    await fixture('ip.index', ['--metric', 'ip', '--dimension', '4', '--count', '20']);
    writeFileSync(join(dir, 'short.json'), JSON.stringify([{ a: 1 }]));
    const run = await importCli([
      '--collection',
      'never',
      '--index',
      join(dir, 'ip.index'),
      '--metadata',
      join(dir, 'short.json'),
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('1 entries; the index holds 20 vectors');
    expect((await collection('never')).status).to.equal(404);
  });

  it('takes ids from a metadata field, and metadata keyed by position; ip becomes ip', async () => {
    const byPosition = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [String(i), { key: `doc-${i}` }]),
    );
    writeFileSync(join(dir, 'keyed.json'), JSON.stringify(byPosition));
    const run = await importCli([
      '--collection',
      'keyed',
      '--index',
      join(dir, 'ip.index'),
      '--metadata',
      join(dir, 'keyed.json'),
      '--id-field',
      'key',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect((await collection('keyed')).body).to.include({ metric: 'ip', count: 20 });
    const got = await h.call('GET', '/v1/collections/keyed/vectors/doc-7', { token });
    expect(got.body.metadata).to.deep.equal({ key: 'doc-7' });
  });

  it('keeps the FAISS ids of an IndexIDMap', async () => {
    const f = await fixture('idmap.index', [
      '--metric',
      'l2',
      '--dimension',
      '4',
      '--count',
      '30',
      '--idmap',
      '--queries',
      '1',
      '--k',
      '1',
    ]);
    const run = await importCli(['--collection', 'mapped', '--index', join(dir, 'idmap.index')]);
    expect(run.code, run.stderr).to.equal(0);
    const res = await h.call('POST', '/v1/collections/mapped/search', {
      token,
      body: { vector: f.queries[0], k: 1 },
    });
    expect(res.body.results[0].id).to.equal(String(1000 + 7 * f.answers[0]!.labels[0]!));
  });

  it('writes everything in one transaction: a failure part-way leaves nothing behind', async () => {
    const orm = await openVectorOrm(h.env.VECTOR_DATABASE_URL as string);
    const poison = `poison-${randomUUID().slice(0, 8)}`;
    await db.query(`
      create or replace function test_poison() returns trigger language plpgsql as $$
      begin
        if new.id = '${poison}' then raise exception 'disk full (simulated)'; end if;
        return new;
      end $$`);
    await db.query(
      'create trigger test_poison before insert on vector_record for each row execute function test_poison()',
    );
    try {
      const random = seededRandom(5);
      const count = 1200; // three statements of 500 rows: the poison is in the third
      const vectors = Float32Array.from(Array.from({ length: count }, () => randomVector(random, 4)).flat());
      const metadata = Array.from({ length: count }, (_, i) => ({ key: i === 1100 ? poison : `k${i}` }));
      const err = await importFaissIndex({
        em: orm.em.fork(),
        encryption: createEncryption([h.env.MASTER_KEY as string]),
        principal: sub,
        collection: 'atomic',
        contents: { metric: 'l2', dimension: 4, count, vectors, ids: null },
        metadata,
        idField: 'key',
        limits: { maxDimension: 4096, maxMetadataBytes: 16384 },
      }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(String(err)).to.contain('disk full');
      expect((await collection('atomic')).status).to.equal(404);
      const written = await db.query(
        'select 1 from vector_record r join collection c on c.id = r.collection_id where c.principal = $1 and r.id = any($2)',
        [sub, ['k0', 'k600']],
      );
      expect(written).to.have.length(0); // the first two statements' rows were rolled back too
      const refused = await importFaissIndex({
        em: orm.em.fork(),
        encryption: createEncryption([h.env.MASTER_KEY as string]),
        principal: sub,
        collection: 'atomic',
        contents: { metric: 'l2', dimension: 4, count: 2, vectors: new Float32Array(8), ids: [5n, 5n] },
        limits: { maxDimension: 4096, maxMetadataBytes: 16384 },
      }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(ImportError);
      expect((refused as Error).message).to.contain('appears twice');
    } finally {
      await db.query('drop trigger if exists test_poison on vector_record');
      await db.query('drop function if exists test_poison()');
      await orm.close(true);
    }
  });
});
