import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasterKeyring } from '@vectorauth/shared';
import { expect } from 'chai';
import { createCollectionRepository } from '../../../src/store/collection-repository.ts';
import { dataKeyAad } from '../../../src/store/data-key-store.ts';
import { plaintextEncryption } from '../../../src/store/encryption.ts';
import { createRecordRepository } from '../../../src/store/record-repository.ts';
import { randomVector, seededRandom } from '../../support/brute-force.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { databaseCells, directoryFiles, findNeedles, type Needle } from '../../support/scan-for-plaintext.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

const DIMENSION = 8;

describe('encryption at rest: nothing readable in the database or DATA_DIR', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let h: Harness;
  let token: string;
  const random = seededRandom(4242);
  const name = `secret-${randomUUID().slice(0, 8)}`;
  const vectors = Array.from({ length: 20 }, (_, i) => ({
    id: `v${i}`,
    vector: randomVector(random, DIMENSION),
    metadata: { note: `needle-${randomUUID()}`, index: i },
  }));
  const needles: Needle[] = [
    ...vectors.map((v) => ({
      label: `vector ${v.id}`,
      bytes: Buffer.from(Float32Array.from(v.vector).buffer),
    })),
    ...vectors.map((v) => ({ label: `metadata of ${v.id}`, bytes: Buffer.from(v.metadata.note) })),
  ];

  before(async () => {
    db = await createScratchDatabase('at_rest');
    h = await startHarness({
      VECTOR_DATABASE_URL: db.url,
      VECTOR_SNAPSHOT_EVERY: '1',
      VECTOR_SNAPSHOT_DELAY_MS: '0',
    });
    token = await h.token();
    const created = await h.call('POST', '/v1/collections', {
      token,
      body: { name, dimension: DIMENSION, metric: 'l2' },
    });
    expect(created.status).to.equal(201);
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
    expect(put.status).to.equal(200);
    // a delete leaves a tombstone, a search loads the index and makes the worker write a snapshot
    expect((await h.call('DELETE', `/v1/collections/${name}/vectors/v19`, { token })).status).to.equal(204);
    const search = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: vectors[0]!.vector, k: 3 },
    });
    expect(search.status).to.equal(200);
    expect(search.body.results[0].metadata).to.deep.equal(vectors[0]!.metadata);
    await waitFor('a snapshot', async () => {
      const metrics = await h.call('GET', '/metrics');
      return metricValue(metrics.text, 'vector_index_snapshots_written_total') >= 1;
    });
  });
  after(async () => {
    await h?.close();
    await db?.drop();
  });

  it('stores every record as AES-256-GCM ciphertext', async () => {
    const rows = await db.query<{ codec: string; payload: Buffer | null }>(
      'select codec, payload from vector_record',
    );
    expect(rows).to.have.length(20);
    expect(new Set(rows.map((r) => r.codec))).to.deep.equal(new Set(['aes-256-gcm-v1']));
    expect(rows.filter((r) => r.payload === null)).to.have.length(1); // the tombstone
  });

  it('leaves neither the float32 bytes of the vectors nor the metadata strings in any table', async () => {
    expect(findNeedles(await databaseCells(db.query), needles)).to.deep.equal([]);
  });

  it('leaves neither in DATA_DIR, where the index snapshot is', async () => {
    const files = await directoryFiles(h.dataDir);
    expect(files.some((f) => f.where.endsWith('.snap'))).to.equal(true);
    expect(findNeedles(files, needles)).to.deep.equal([]);
  });

  it('keeps the data key itself only wrapped', async () => {
    const [row] = await db.query<{
      principal: string;
      data_key_id: string;
      master_key_id: string;
      wrapped: Buffer;
    }>('select principal, data_key_id, master_key_id, wrapped from principal_key');
    expect(row).to.not.equal(undefined);
    const keyring = createMasterKeyring([h.env.MASTER_KEY as string]);
    expect(row!.master_key_id).to.equal(keyring.primaryId);
    const dataKey = keyring.unwrap(
      { keyId: row!.master_key_id, ciphertext: row!.wrapped },
      dataKeyAad(row!.principal, row!.data_key_id),
    );
    const key: Needle[] = [{ label: 'the data key', bytes: dataKey }];
    expect(
      findNeedles([...(await databaseCells(db.query)), ...(await directoryFiles(h.dataDir))], key),
    ).to.deep.equal([]);
  });

  it('answers the same after a restart, from the encrypted snapshot', async () => {
    await h.restart();
    const search = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: vectors[0]!.vector, k: 3 },
    });
    expect(search.status).to.equal(200);
    expect(search.body.results[0]).to.deep.include({ id: 'v0', metadata: vectors[0]!.metadata });
    const metrics = await h.call('GET', '/metrics');
    expect(metricValue(metrics.text, 'vector_index_loads_total{source="snapshot"}')).to.equal(1);
  });

  it('would find them if they were stored in the clear (the scan works)', async () => {
    const orm = await openVectorOrm(db.url);
    try {
      const em = orm.em.fork();
      const control = await createCollectionRepository(em).create('control', {
        name: 'control',
        dimension: DIMENSION,
        metric: 'l2',
      });
      const v = vectors[3]!;
      await createRecordRepository(em, plaintextEncryption()).upsert(control, [
        { id: v.id, vector: Float32Array.from(v.vector), metadata: v.metadata },
      ]);
      const found = findNeedles(await databaseCells(db.query), needles);
      expect(found).to.include.members([
        `vector v3 in vector_record.payload`,
        `metadata of v3 in vector_record.payload`,
      ]);
      await createCollectionRepository(em).remove('control', 'control');
    } finally {
      await orm.close(true);
    }
    const stray = join(h.dataDir, 'stray.bin');
    await mkdir(h.dataDir, { recursive: true });
    await writeFile(stray, needles[0]!.bytes);
    expect(findNeedles(await directoryFiles(h.dataDir), needles)).to.deep.equal([`vector v0 in ${stray}`]);
  });
});
