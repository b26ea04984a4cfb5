import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { createLogger } from '@vectorauth/shared';
import { expect } from 'chai';
import { decodeSnapshotHeader, snapshotPath } from '../../../src/search/snapshot-file.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { metricValue, waitFor } from '../../support/wait-for.ts';

type Db = Awaited<ReturnType<typeof connectTestDatabase>>;
interface LogLine {
  level: number;
  msg: string;
  kind?: string;
  principal?: string;
  collection?: string;
}

/**
 * A snapshot file or an encrypted row that fails authentication is refused (as before) and
 * reported: a warn log line naming the principal and collection, a `/metrics` counter and an
 * `audit_event` row. The API's own log lines are captured here (warn and above).
 */
describe('tampering is loud: refused stored data is logged, counted and audited', function () {
  this.timeout(60_000);
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let h: Harness;
  let db: Db;
  const sub = `owner-${randomUUID()}`;
  let token: string;
  const name = `t-${randomUUID().slice(0, 8)}`;
  let collectionId = '';

  const warnings = (kind: string) =>
    lines.filter((l) => l.level === 40 && l.kind === kind && l.principal === sub && l.collection === name);
  const audited = (kind: string) =>
    db.query<{ actor: string; detail: { kind: string; collection: string } }>(
      "select actor, detail from audit_event where action = 'stored_data.tampered' and subject = $1 and detail->>'kind' = $2",
      [sub, kind],
    );
  const tamperedCount = async (kind: string) =>
    metricValue((await h.call('GET', '/metrics')).text, `vector_stored_data_tampered_total{kind="${kind}"}`);
  const search = () =>
    h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector: [1, 2], k: 2 } });

  before(async () => {
    db = await connectTestDatabase();
    h = await startHarness(
      { VECTOR_SNAPSHOT_EVERY: '1', VECTOR_SNAPSHOT_DELAY_MS: '0' },
      { logger: createLogger({ name: 'vector-api', level: 'warn', destination: sink }) },
    );
    token = await h.issuer.sign({ sub });
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: 2, metric: 'l2' } })).status,
    ).to.equal(201);
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: {
        vectors: [
          { id: 'a', vector: [1, 2] },
          { id: 'b', vector: [3, 4] },
        ],
      },
    });
    expect(put.status).to.equal(200);
    const [row] = await db.query<{ id: string }>(
      'select id from collection where principal = $1 and name = $2',
      [sub, name],
    );
    collectionId = row!.id;
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  it('a snapshot file that fails authentication: refused, rebuilt from rows, and reported', async () => {
    expect((await search()).status).to.equal(200);
    const path = snapshotPath(h.dataDir, sub, collectionId);
    await waitFor('a snapshot of the collection', async () => {
      const bytes = await readFile(path).catch(() => null);
      return bytes !== null && decodeSnapshotHeader(bytes) !== null;
    });
    const bytes = await readFile(path);
    bytes[bytes.length - 20]! ^= 0xff; // inside the sealed body: the AES-GCM tag no longer matches
    await writeFile(path, bytes);
    await h.restart({ VECTOR_SNAPSHOT_EVERY: '0' });

    const res = await search();
    expect(res.status).to.equal(200);
    expect(res.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['a', 'b']);
    expect(await tamperedCount('snapshot')).to.equal(1);
    expect(warnings('snapshot')).to.have.length(1);
    const rows = await waitFor('the audit row', async () => {
      const found = await audited('snapshot');
      return found.length > 0 ? found : undefined;
    });
    expect(rows).to.have.length(1);
    expect(rows![0]!.actor).to.equal('vector-api');
    expect(rows![0]!.detail.collection).to.equal(name);
  });

  it('an encrypted row that fails authentication: 409 as before, and reported', async () => {
    const payload = async (id: string) =>
      (
        await db.query<{ payload: Buffer }>(
          'select payload from vector_record where collection_id = $1 and id = $2',
          [collectionId, id],
        )
      )[0]!.payload;
    const flipped = Buffer.from(await payload('a'));
    flipped[flipped.length - 1]! ^= 0xff;
    await db.query('update vector_record set payload = $3 where collection_id = $1 and id = $2', [
      collectionId,
      'a',
      flipped,
    ]);
    const res = await h.call('GET', `/v1/collections/${name}/vectors/a`, { token });
    expect(res.status).to.equal(409);
    expect(res.body.error).to.equal('stored_data_unreadable');
    expect(await tamperedCount('record')).to.equal(1);
    expect(warnings('record')).to.have.length(1);
    const rows = await audited('record');
    expect(rows).to.have.length(1);
    expect(rows[0]!.detail.collection).to.equal(name);
  });
});
