import { expect } from 'chai';
import type { IndexReply, IndexRequest } from '../../../src/search/index-protocol.ts';
import { type IndexWorkerClient, IndexWorkerError } from '../../../src/search/index-worker-client.ts';
import { createVectorIndex, type LoadPlan } from '../../../src/search/vector-index.ts';
import type { Collection } from '../../../src/store/collection.ts';
import { DEFAULT_INDEX_SETTINGS } from '../../../src/store/index-settings.ts';
import { StoredDataUnreadableError } from '../../../src/store/stored-data-errors.ts';

const collection: Collection = {
  id: 'c1',
  principal: 'p',
  name: 'n',
  dimension: 2,
  metric: 'l2',
  index: DEFAULT_INDEX_SETTINGS,
  version: 3,
  createdAt: new Date(0),
};

const emptyRows = () => ({ ids: [], seqs: [], offsets: new Float64Array(1), payloads: new Uint8Array(0) });
const plan = (version: number, snapshot: LoadPlan['snapshot'] = null): LoadPlan => ({
  version,
  codec: 'plain-v1',
  dataKey: null,
  snapshot,
  rows: emptyRows(),
});

type Load = Extract<IndexRequest, { op: 'load' }>;

/** A fake worker that records requests and holds one version per key. */
function fakeWorker(failLoad?: (request: Load) => Error | undefined) {
  const requests: IndexRequest[] = [];
  const versions = new Map<string, number>();
  const answer = (queries: Float32Array, k: number) =>
    Array.from({ length: queries.length / 2 }, (_, q) =>
      Array.from({ length: k }, (_, j) => ({ id: `q${q}-${j}`, distance: j, metadata: null })),
    );
  const client: IndexWorkerClient = {
    async request<R extends IndexReply>(request: IndexRequest): Promise<R> {
      requests.push(request);
      if (request.op === 'load') {
        const failure = failLoad?.(request);
        if (failure) throw failure;
        versions.set(request.target.key, request.version);
        const hits = request.search ? answer(request.search.queries, request.search.k) : undefined;
        return { op: 'load', version: request.version, source: 'records', hits } as unknown as R;
      }
      if (request.op === 'search') {
        const version = versions.get(request.key);
        if (version === undefined || version < request.minVersion) return { op: 'search', stale: true } as R;
        return { op: 'search', stale: false, version, hits: answer(request.queries, request.k) } as R;
      }
      return { op: 'drop', done: true } as R;
    },
    close: async () => undefined,
  };
  return { client, requests };
}

describe('createVectorIndex', () => {
  it('answers searches that arrive together with one batched worker call', async () => {
    const { client, requests } = fakeWorker();
    let loads = 0;
    const index = createVectorIndex({
      worker: client,
      planLoad: async () => {
        loads++;
        return plan(3);
      },
      discardSnapshot: async () => undefined,
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((k, q) => index.search(collection, Float32Array.from([q, q]), k)),
    );
    expect(loads).to.equal(1);
    // one stale answer, then one load that searches all four queries in the same step
    expect(requests.map((r) => r.op)).to.deep.equal(['search', 'load']);
    const load = requests[1] as Load;
    expect(load.search?.queries.length).to.equal(8);
    expect(load.search?.k).to.equal(4);
    results.forEach(([hits], q) => {
      expect(hits).to.have.length(q + 1);
      expect(hits?.[0]?.id).to.equal(`q${q}-0`);
    });
    await index.search(collection, Float32Array.from([0, 0]), 1);
    expect(requests.map((r) => r.op)).to.deep.equal(['search', 'load', 'search']);
  });

  it('reloads when Postgres holds a newer version than the cache', async () => {
    const { client, requests } = fakeWorker();
    let version = 3;
    const index = createVectorIndex({
      worker: client,
      planLoad: async () => plan(version),
      discardSnapshot: async () => undefined,
    });
    await index.search(collection, Float32Array.from([0, 0]), 1);
    await index.search(collection, Float32Array.from([0, 0]), 1);
    expect(requests.filter((r) => r.op === 'load')).to.have.length(1);
    version = 4;
    await index.search({ ...collection, version: 4 }, Float32Array.from([0, 0]), 1);
    const loadsSeen = requests.filter((r) => r.op === 'load') as Load[];
    expect(loadsSeen.map((l) => l.version)).to.deep.equal([3, 4]);
  });

  it('discards a snapshot the worker cannot open and loads from every row instead', async () => {
    const { client, requests } = fakeWorker((r) =>
      r.snapshot ? new IndexWorkerError('does not authenticate', 'snapshot_unusable') : undefined,
    );
    const discarded: string[] = [];
    let hasSnapshot = true;
    const index = createVectorIndex({
      worker: client,
      planLoad: async (_c, useSnapshot) =>
        plan(3, useSnapshot && hasSnapshot ? { path: '/s', version: 2 } : null),
      discardSnapshot: async (c) => {
        discarded.push(c.id);
        hasSnapshot = false;
      },
    });
    const hits = await index.search(collection, Float32Array.from([0, 0]), 1);
    expect(hits).to.have.length(1);
    expect(discarded).to.deep.equal(['c1']);
    expect((requests.filter((r) => r.op === 'load') as Load[]).map((l) => l.snapshot)).to.deep.equal([
      { path: '/s', version: 2 },
      null,
    ]);
  });

  it('turns rows that do not authenticate into a typed 409, never other data', async () => {
    const { client } = fakeWorker(
      () => new IndexWorkerError('stored vector "x" does not authenticate', 'stored_data_unreadable'),
    );
    const index = createVectorIndex({
      worker: client,
      planLoad: async () => plan(3),
      discardSnapshot: async () => undefined,
    });
    const err = await index.search(collection, Float32Array.from([0, 0]), 1).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(StoredDataUnreadableError);
    expect((err as StoredDataUnreadableError).status).to.equal(409);
    expect((err as Error).message).to.match(/^stored vector "x"/);
  });

  it('rejects every waiting search when loading fails', async () => {
    const { client } = fakeWorker();
    const index = createVectorIndex({
      worker: client,
      planLoad: async () => {
        throw new Error('db down');
      },
      discardSnapshot: async () => undefined,
    });
    const outcomes = await Promise.allSettled([
      index.search(collection, Float32Array.from([0, 0]), 1),
      index.search(collection, Float32Array.from([1, 1]), 1),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
