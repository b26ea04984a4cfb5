import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createMasterKeyring, createOrm, open } from '@vectorauth/shared';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { legacySeal, legacyWrap } from '../../../../shared/test/support/legacy-seal.ts';
import { VECTOR_MIGRATIONS } from '../../../src/migrations/vector-migrations.ts';
import { decodeSnapshotHeader, snapshotPath } from '../../../src/search/snapshot-file.ts';
import { dataKeyAad } from '../../../src/store/data-key-store.ts';
import { recordAad, snapshotAad } from '../../../src/store/encrypted-record-codec.ts';
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

  /**
   * Rewrites one principal's data key, records and snapshot as the code sealed them before AAD
   * formats were versioned (format 1), under the master key `base64Key`.
   */
  async function sealAsBefore(principal: string, base64Key: string) {
    const [row] = await db.query<{ data_key_id: string; master_key_id: string; wrapped: Buffer }>(
      'select data_key_id, master_key_id, wrapped from principal_key where principal = $1',
      [principal],
    );
    const keyring = createMasterKeyring([oldKey, newKey]);
    const dataKeyContext = dataKeyAad(principal, row!.data_key_id);
    const dataKey = keyring.unwrap({ keyId: row!.master_key_id, ciphertext: row!.wrapped }, dataKeyContext);
    const legacyKey = legacyWrap(base64Key, dataKey, dataKeyContext);
    await db.query('update principal_key set master_key_id = $1, wrapped = $2 where principal = $3', [
      legacyKey.keyId,
      legacyKey.ciphertext,
      principal,
    ]);
    const records = await db.query<{ collection_id: string; id: string; seq: string; payload: Buffer }>(
      `select r.collection_id, r.id, r.seq, r.payload from vector_record r join collection c on c.id = r.collection_id
       where c.principal = $1 and r.payload is not null`,
      [principal],
    );
    for (const r of records) {
      const context = recordAad({
        principal,
        collectionId: r.collection_id,
        recordId: r.id,
        seq: Number(r.seq),
      });
      const legacy = legacySeal(dataKey, open(dataKey, r.payload, context), context);
      await db.query('update vector_record set payload = $1 where collection_id = $2 and id = $3', [
        legacy,
        r.collection_id,
        r.id,
      ]);
    }
    const path = snapshotPath(h.dataDir, principal, records[0]!.collection_id);
    const file = (await directoryFiles(h.dataDir)).find((f) => f.where === path)!.bytes;
    const head = decodeSnapshotHeader(file)!;
    const context = snapshotAad({
      principal,
      collectionId: head.header.collectionId,
      version: head.header.version,
      header: head.json,
    });
    const plaintext = open(dataKey, file.subarray(head.end), context);
    await writeFile(
      path,
      Buffer.concat([file.subarray(0, head.end), legacySeal(dataKey, plaintext, context)]),
    );
  }
  const formatsOf = (principal: string) =>
    db.query<{ format: number }>(
      `select get_byte(r.payload, 0) as format from vector_record r join collection c on c.id = r.collection_id
       where c.principal = $1 and r.payload is not null`,
      [principal],
    );

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
    expect(
      (await rows()).map((r) => r.wrapped[0]),
      'new seals are in AAD format 2',
    ).to.deep.equal([2, 2, 2]);
    // Data of before AAD formats were versioned: it must keep opening, and rotation must rewrap its key.
    await sealAsBefore(people[0]!.sub, oldKey);
    expect(await formatsOf(people[0]!.sub)).to.deep.equal([{ format: 1 }]);
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
    expect(
      after.map((r) => r.wrapped[0]),
      'rewrapped into AAD format 2',
    ).to.deep.equal([2, 2, 2]);
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

  it('rewraps a data key still in AAD format 1 under the current master key (one key listed)', async () => {
    const p = people[1]!;
    await sealAsBefore(p.sub, newKey);
    const orm = await createOrm({ url: db.url, migrations: VECTOR_MIGRATIONS, poolMax: 1 });
    try {
      const step = createRewrapDataKeysStep({ orm, keyring: createMasterKeyring([newKey]) });
      expect(await step.count()).to.equal(1);
      expect(await step.rewrapBatch()).to.equal(1);
      expect(await step.count()).to.equal(0);
    } finally {
      await orm.close(true);
    }
    const [row] = (await rows()).filter((r) => r.principal === p.sub);
    expect([row!.master_key_id, row!.wrapped[0]]).to.deep.equal([newId, 2]);
    await h.restart({ MASTER_KEY: newKey });
    await expectAllReadable();
  });

  it('writes a record in format 1 back in format 2 when it is next written', async () => {
    const p = people[0]!;
    expect(await formatsOf(p.sub)).to.deep.equal([{ format: 1 }]);
    const put = await h.call('PUT', `/v1/collections/${p.name}/vectors`, {
      token: p.token,
      body: { vectors: [{ id: 'v', vector: [0, 1], metadata: { who: p.sub } }] },
    });
    expect(put.status, put.text).to.equal(200);
    expect(await formatsOf(p.sub)).to.deep.equal([{ format: 2 }]);
    await expectAllReadable();
  });
});
