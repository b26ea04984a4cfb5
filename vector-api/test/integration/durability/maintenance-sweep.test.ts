import { randomUUID } from 'node:crypto';
import { access, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { principalSnapshotDir, snapshotPath } from '../../../src/search/snapshot-file.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { waitFor } from '../../support/wait-for.ts';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('the maintenance pass sweeps what a crash or another instance left behind', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('deletes orphaned snapshots and stale temporary files, and keeps live snapshots and fresh temporary files', async () => {
    const sub = `user-${randomUUID()}`;
    const token = await h.token({ sub });
    const created = await h.call('POST', '/v1/collections', {
      token,
      body: { name: 'kept', dimension: 4, metric: 'l2' },
    });
    expect(created.status, created.text).to.equal(201);
    const db = await connectTestDatabase();
    const [row] = await db
      .query<{ id: string }>('select id from collection where principal = $1', [sub])
      .finally(() => db.close());
    const liveId = row!.id;

    const dir = principalSnapshotDir(h.dataDir, sub);
    await mkdir(dir, { recursive: true });
    const liveSnapshot = snapshotPath(h.dataDir, sub, liveId);
    const orphan = snapshotPath(h.dataDir, sub, randomUUID()); // a collection deleted elsewhere
    const staleTemp = join(dir, `${randomUUID()}.snap.4242.${randomUUID()}.tmp`); // a crash mid-write
    const freshTemp = join(dir, `${randomUUID()}.snap.4343.${randomUUID()}.tmp`); // a write in flight
    for (const path of [liveSnapshot, orphan, staleTemp, freshTemp]) await writeFile(path, 'bytes');
    const anHourAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(staleTemp, anHourAgo, anHourAgo);

    await h.restart(); // the first pass runs soon after start
    await waitFor('the orphaned snapshot and the stale temporary file to be swept', async () => {
      return !(await exists(orphan)) && !(await exists(staleTemp));
    });
    expect(await exists(liveSnapshot), 'live snapshot').to.equal(true);
    expect(await exists(freshTemp), 'fresh temporary file').to.equal(true);
  });
});
