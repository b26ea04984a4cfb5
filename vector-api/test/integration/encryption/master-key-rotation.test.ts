import { randomBytes, randomUUID } from 'node:crypto';
import { createMasterKeyring } from '@vectorauth/shared';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { createRewrapDataKeysStep } from '../../../src/store/rewrap-data-keys.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { runScript } from '../../support/run-script.ts';
import { directoryFiles } from '../../support/scan-for-plaintext.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

describe('master-key rotation rewraps data keys without re-encrypting data', function () {
  // A data key wrapped by a master key that is no longer configured: refused with a 5xx, logged.
  expectLogLines([{ service: 'vector-api', level: 'error', msg: 'request failed' }]);
  this.timeout(60_000);
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const oldId = createMasterKeyring([oldKey]).primaryId;
  const newId = createMasterKeyring([newKey]).primaryId;
  let db: ScratchDatabase;
  let h: Harness;
  const people = Array.from({ length: 3 }, () => ({
    sub: `user-${randomUUID()}`,
    token: '',
    name: `c-${randomUUID().slice(0, 8)}`,
  }));
  let payloadsBefore: string[];
  let snapshotsBefore: string[];

  const rows = () =>
    db.query<{ principal: string; data_key_id: string; master_key_id: string; wrapped: Buffer }>(
      'select principal, data_key_id, master_key_id, wrapped from principal_key order by principal',
    );
  const payloads = async () =>
    (await db.query<{ payload: Buffer }>('select payload from vector_record order by collection_id, id')).map(
      (r) => r.payload.toString('base64'),
    );
  const snapshotFiles = async () =>
    (await directoryFiles(h.dataDir))
      .filter((f) => f.where.endsWith('.snap'))
      .map((f) => f.bytes.toString('base64'));

  async function expectAllReadable() {
    for (const [i, p] of people.entries()) {
      const get = await h.call('GET', `/v1/collections/${p.name}/vectors/v`, { token: p.token });
      expect(get.status, get.text).to.equal(200);
      expect(get.body).to.deep.equal({ id: 'v', vector: [i, 1], metadata: { who: p.sub } });
      const search = await h.call('POST', `/v1/collections/${p.name}/search`, {
        token: p.token,
        body: { vector: [i, 1], k: 1 },
      });
      expect(search.status, search.text).to.equal(200);
      expect(search.body.results[0]).to.deep.include({ id: 'v', metadata: { who: p.sub } });
    }
  }

  before(async () => {
    db = await createScratchDatabase('rotation');
    h = await startHarness({
      VECTOR_DATABASE_URL: db.url,
      MASTER_KEY: oldKey,
      VECTOR_SNAPSHOT_EVERY: '1',
      VECTOR_SNAPSHOT_DELAY_MS: '0',
    });
    for (const [i, p] of people.entries()) {
      p.token = await h.issuer.sign({ sub: p.sub });
      const put = await h.seed(p.token, p.name, 2, [{ id: 'v', vector: [i, 1], metadata: { who: p.sub } }]);
      expect(put.status).to.equal(200);
    }
    await expectAllReadable(); // loads every index: the worker writes encrypted snapshots
    await waitFor('three snapshots', async () => (await snapshotFiles()).length === 3);
    expect((await rows()).map((r) => r.master_key_id)).to.deep.equal([oldId, oldId, oldId]);
    payloadsBefore = await payloads();
    snapshotsBefore = await snapshotFiles();
  });
  after(async () => {
    await h?.close();
    await db?.drop();
  });

  it('needs the old key before rotation (without it: 503 data_key_unavailable)', async () => {
    await h.restart({ MASTER_KEY: newKey });
    const p = people[0]!;
    const res = await h.call('GET', `/v1/collections/${p.name}/vectors/v`, { token: p.token });
    expect(res.status).to.equal(503);
    expect(res.body.error).to.equal('data_key_unavailable');
    expect(res.body.message).to.contain(oldId);
  });

  it('rewraps in batches that each commit, so an interrupted run resumes', async () => {
    await h.restart({ MASTER_KEY: `${newKey},${oldKey}` });
    await expectAllReadable();
    const orm = await openVectorOrm(db.url);
    try {
      const step = createRewrapDataKeysStep({
        orm,
        keyring: createMasterKeyring([newKey, oldKey]),
        batchSize: 1,
      });
      expect(await step.count()).to.equal(3);
      expect(await step.rewrapBatch()).to.equal(1); // then "the process dies"
      expect(await step.count()).to.equal(2);
    } finally {
      await orm.close(true);
    }
    const ids = (await rows()).map((r) => r.master_key_id);
    expect(ids.filter((id) => id === newId)).to.have.length(1);
  });

  it('refuses, naming the key, when a key still in use is not listed', async () => {
    const run = await runScript('scripts/rotate-master-key.ts', [], {
      VECTOR_DATABASE_URL: db.url,
      MASTER_KEY: newKey,
      DATA_DIR: h.dataDir,
    });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(oldId).and.contain('not in MASTER_KEY');
  });

  it('`npm run rotate-master-key` finishes the job; data and snapshots are untouched', async () => {
    const run = await runScript('scripts/rotate-master-key.ts', ['--batch', '1'], {
      VECTOR_DATABASE_URL: db.url,
      MASTER_KEY: `${newKey},${oldKey}`,
      DATA_DIR: h.dataDir,
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('vector-api data keys: done, 2 rewrapped');
    expect(run.stdout).to.contain(`${oldId} can be removed`);
    const after = await rows();
    expect(after.map((r) => r.master_key_id)).to.deep.equal([newId, newId, newId]);
    expect(await payloads()).to.deep.equal(payloadsBefore);
    expect(await snapshotFiles()).to.have.members(snapshotsBefore);
    const again = await runScript('scripts/rotate-master-key.ts', [], {
      VECTOR_DATABASE_URL: db.url,
      MASTER_KEY: `${newKey},${oldKey}`,
      DATA_DIR: h.dataDir,
    });
    expect(again.code).to.equal(0);
    expect(again.stdout).to.contain('done, 0 rewrapped');
  });

  it('reads every record with the new key alone: the old key can be dropped', async () => {
    await h.restart({ MASTER_KEY: newKey });
    await expectAllReadable();
    const metrics = await h.call('GET', '/metrics');
    expect(metricValue(metrics.text, 'vector_index_loads_total{source="snapshot"}')).to.equal(3);
  });
});
