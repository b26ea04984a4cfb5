import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { expect } from 'chai';
import { snapshotPath } from '../../../src/search/snapshot-file.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';
import { waitFor } from '../../support/wait-for.ts';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('deleting a collection as its owner', function () {
  this.timeout(60_000);
  let h: Harness;
  let db: Awaited<ReturnType<typeof connectTestDatabase>>;

  before(async () => {
    db = await connectTestDatabase();
    // A snapshot after every write, at once: the deletion must take it away too.
    h = await startHarness({ VECTOR_SNAPSHOT_EVERY: '1', VECTOR_SNAPSHOT_DELAY_MS: '0' });
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  it('removes it, its vectors and its snapshot, and frees the name', async () => {
    const sub = `owner-${randomUUID()}`;
    const token = await h.issuer.sign({ sub });
    const other = await h.token();
    const name = `notes-${randomUUID().slice(0, 8)}`;
    const keep = `keep-${randomUUID().slice(0, 8)}`;
    for (const n of [name, keep]) {
      const created = await h.call('POST', '/v1/collections', {
        token,
        body: { name: n, dimension: 3, metric: 'l2' },
      });
      expect(created.status, created.text).to.equal(201);
    }
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: {
        vectors: [
          { id: 'a', vector: [1, 0, 0], metadata: { title: 'first' } },
          { id: 'b', vector: [0, 1, 0] },
          { id: 'c', vector: [0, 0, 1] },
        ],
      },
    });
    expect(put.status, put.text).to.equal(200);
    const [row] = await db.query<{ id: string }>(
      'select id from collection where principal = $1 and name = $2',
      [sub, name],
    );
    const id = row!.id;
    const search = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: [1, 0, 0], k: 3 },
    });
    expect(search.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['a', 'b', 'c']);
    const snapshot = snapshotPath(h.dataDir, sub, id);
    await waitFor('a snapshot of the collection', () => exists(snapshot));

    // Someone else cannot delete it (another principal's collection is a 404, and stays).
    expect((await h.call('DELETE', `/v1/collections/${name}`, { token: other })).status).to.equal(404);

    const deleted = await h.call('DELETE', `/v1/collections/${name}`, { token });
    expect(deleted.status, deleted.text).to.equal(204);
    expect(deleted.text).to.equal('');

    // Gone through the API...
    const gone = await h.call('GET', `/v1/collections/${name}`, { token });
    expect(gone.status).to.equal(404);
    expect(gone.body.error).to.equal('not_found');
    const listed = await h.call('GET', '/v1/collections', { token });
    expect(listed.body.collections.map((c: { name: string }) => c.name)).to.deep.equal([keep]);
    expect((await h.call('GET', `/v1/collections/${name}/vectors/a`, { token })).status).to.equal(404);
    expect(
      (await h.call('POST', `/v1/collections/${name}/search`, { token, body: { vector: [1, 0, 0], k: 3 } }))
        .status,
    ).to.equal(404);
    expect((await h.call('DELETE', `/v1/collections/${name}`, { token })).status, 'deleted once').to.equal(
      404,
    );
    // ...and in storage: no row, no record, no snapshot left behind.
    expect(await db.query('select 1 from collection where id = $1', [id])).to.have.length(0);
    expect(await db.query('select 1 from vector_record where collection_id = $1', [id])).to.have.length(0);
    expect(await exists(snapshot), 'snapshot file').to.equal(false);

    // The name is free again: a new, empty collection of another shape, with nothing of the old one.
    const again = await h.call('POST', '/v1/collections', {
      token,
      body: { name, dimension: 2, metric: 'cosine' },
    });
    expect(again.status, again.text).to.equal(201);
    expect(again.body).to.include({ name, dimension: 2, metric: 'cosine', count: 0 });
    expect((await h.call('GET', `/v1/collections/${name}/vectors/a`, { token })).status).to.equal(404);
    const empty = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: [1, 0], k: 3 },
    });
    expect(empty.status, empty.text).to.equal(200);
    expect(empty.body.results).to.deep.equal([]);
    const fresh = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: [{ id: 'z', vector: [0, 1] }] },
    });
    expect(fresh.status, fresh.text).to.equal(200);
    const found = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      body: { vector: [0, 1], k: 3 },
    });
    expect(found.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['z']);
    // The other collection was never touched.
    expect((await h.call('GET', `/v1/collections/${keep}`, { token })).status).to.equal(200);
  });
});
