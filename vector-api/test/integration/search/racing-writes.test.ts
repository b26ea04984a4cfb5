import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@vectorauth/shared';
import { expect } from 'chai';
import type { IndexReply, IndexRequest } from '../../../src/search/index-protocol.ts';
import { createIndexWorkerClient, type IndexWorkerClient } from '../../../src/search/index-worker-client.ts';
import { DEFAULT_INDEX_SETTINGS } from '../../../src/store/index-settings.ts';
import { packRows } from '../../../src/store/packed-rows.ts';
import { packRecord } from '../../../src/store/record-layout.ts';

type Search = Extract<IndexReply, { op: 'search' }>;
type Stats = Extract<IndexReply, { op: 'stats' }>;

/**
 * Two writes on one instance can commit in one order and reach the index worker in the other.
 * The worker holds the one that came early until the gap closes, instead of dropping a collection
 * it would then reload from every row.
 */
describe('the index worker with writes that overtake each other', function () {
  this.timeout(60_000);
  let dir: string;
  let worker: IndexWorkerClient;
  const key = 'racing';
  const target = { key, principal: 'p', metric: 'l2' as const, dimension: 2, index: DEFAULT_INDEX_SETTINGS };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'racing-writes-'));
    worker = createIndexWorkerClient(createLogger({ name: 'racing-writes', level: 'silent' }), {
      dataDir: dir,
      cacheBytes: 64 * 1024 * 1024,
      snapshotEvery: 0,
      snapshotDelayMs: 0,
      threads: 1,
    });
  });
  after(async () => {
    await worker.close();
    await rm(dir, { recursive: true, force: true });
  });

  const load = (version: number, ids: string[]) =>
    worker.request({
      op: 'load',
      target,
      version,
      codec: 'plain-v1',
      dataKey: null,
      snapshot: null,
      rows: packRows(
        ids,
        ids.map((_, i) => i + 1),
        ids.map((_, i) => packRecord({ vector: Float32Array.from([i, 0]), metadata: null })),
      ),
    });
  const apply = (fromVersion: number, write: { ids?: string[]; deletes?: string[]; at?: number }) =>
    worker.request<Extract<IndexReply, { op: 'apply' }>>({
      op: 'apply',
      key,
      fromVersion,
      toVersion: fromVersion + 1,
      deletes: write.deletes ?? [],
      ids: write.ids ?? [],
      vectors: Float32Array.from((write.ids ?? []).flatMap(() => [write.at ?? 0, 0])),
      metadata: (write.ids ?? []).map(() => null),
    } satisfies IndexRequest);
  const search = (minVersion: number, at: number, k = 10) =>
    worker.request<Search>({ op: 'search', key, minVersion, queries: Float32Array.from([at, 0]), k });

  it('applies a write that came before the one it follows once that one arrives, with no reload', async () => {
    await load(3, ['a', 'b', 'c']);
    expect((await apply(4, { ids: ['e'], at: 50 })).applied, 'held, not dropped').to.equal(true);
    expect((await search(3, 0)).stale, 'the cached version is still answered').to.equal(false);
    expect((await search(5, 0)).stale, 'not before the gap closes').to.equal(true);
    expect((await apply(3, { ids: ['d'], deletes: ['b'], at: 40 })).applied).to.equal(true);
    const after = await search(5, 45);
    expect(after.stale).to.equal(false);
    if (after.stale) return;
    expect(after.version).to.equal(5);
    expect(after.hits[0]?.map((hit) => hit.id)).to.deep.equal(['d', 'e', 'c', 'a']);
  });

  it('drops the held writes a reload passed, and applies those that follow on from it', async () => {
    await load(10, ['x']);
    await apply(11, { ids: ['late'], at: 9 }); // held: 10 -> 11 is another instance's write
    await apply(12, { ids: ['later'], at: 8 }); // held
    // The search that needs version 11 reloads from the rows at version 12 (the first held write in them).
    const reloaded = await worker.request<Extract<IndexReply, { op: 'load' }>>({
      op: 'load',
      target,
      version: 12,
      codec: 'plain-v1',
      dataKey: null,
      snapshot: null,
      rows: packRows(
        ['x', 'other', 'late'],
        [1, 2, 3],
        [
          packRecord({ vector: Float32Array.from([0, 0]), metadata: null }),
          packRecord({ vector: Float32Array.from([7, 0]), metadata: null }),
          packRecord({ vector: Float32Array.from([9, 0]), metadata: null }),
        ],
      ),
    });
    expect(reloaded.version, 'the write after the reload applied at once').to.equal(13);
    const found = await search(13, 9);
    if (found.stale) throw new Error('stale');
    expect(found.hits[0]?.map((hit) => hit.id)).to.deep.equal(['late', 'later', 'other', 'x']);
  });

  it('drops the collection when more writes wait than it holds, and reloads it when searched', async () => {
    await load(100, ['y']);
    for (let v = 102; v < 102 + 64; v++) expect((await apply(v, { ids: [`w${v}`] })).applied).to.equal(true);
    expect((await apply(166, { ids: ['one-too-many'] })).applied).to.equal(false);
    expect((await search(100, 0)).stale, 'dropped').to.equal(true);
    const stats = await worker.request<Stats>({ op: 'stats' });
    expect(stats.stats.entries).to.equal(0);
  });
});
