import { expect } from 'chai';
import type { IndexReply, IndexRequest } from '../../../src/index/index-protocol.ts';
import type { IndexWorkerClient } from '../../../src/index/index-worker-client.ts';
import { createVectorIndex } from '../../../src/index/vector-index.ts';
import type { Collection } from '../../../src/store/collection.ts';

const collection: Collection = {
  id: 'c1',
  principal: 'p',
  name: 'n',
  dimension: 2,
  metric: 'l2',
  version: 3,
  createdAt: new Date(0),
};

/** A fake worker that records requests and holds one version per key. */
function fakeWorker() {
  const requests: IndexRequest[] = [];
  const versions = new Map<string, number>();
  const client: IndexWorkerClient = {
    async request<R extends IndexReply>(request: IndexRequest): Promise<R> {
      requests.push(request);
      if (request.op === 'load') {
        versions.set(request.key, request.version);
        return { op: 'load', done: true } as R;
      }
      if (request.op === 'search') {
        const version = versions.get(request.key);
        if (version === undefined || version < request.minVersion) return { op: 'search', stale: true } as R;
        const nq = request.queries.length / 2;
        const hits = Array.from({ length: nq }, (_, q) =>
          Array.from({ length: request.k }, (_, j) => ({ id: `q${q}-${j}`, distance: j, metadata: null })),
        );
        return { op: 'search', stale: false, version, hits } as R;
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
      loadSnapshot: async () => {
        loads++;
        return { version: 3, ids: [], vectors: new Float32Array(0), metadata: [] };
      },
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((k, q) => index.search(collection, Float32Array.from([q, q]), k)),
    );
    expect(loads).to.equal(1);
    const searches = requests.filter((r) => r.op === 'search');
    // one stale answer, one load, then a single search carrying all four queries
    expect(searches).to.have.length(2);
    const last = searches[1] as Extract<IndexRequest, { op: 'search' }>;
    expect(last.queries.length).to.equal(8);
    expect(last.k).to.equal(4);
    results.forEach((hits, q) => {
      expect(hits).to.have.length(q + 1);
      expect(hits[0]?.id).to.equal(`q${q}-0`);
    });
  });

  it('reloads when Postgres holds a newer version than the cache', async () => {
    const { client, requests } = fakeWorker();
    let version = 3;
    const index = createVectorIndex({
      worker: client,
      loadSnapshot: async () => ({ version, ids: [], vectors: new Float32Array(0), metadata: [] }),
    });
    await index.search(collection, Float32Array.from([0, 0]), 1);
    await index.search(collection, Float32Array.from([0, 0]), 1);
    expect(requests.filter((r) => r.op === 'load')).to.have.length(1);
    version = 4;
    await index.search({ ...collection, version: 4 }, Float32Array.from([0, 0]), 1);
    const loadsSeen = requests.filter((r) => r.op === 'load') as Extract<IndexRequest, { op: 'load' }>[];
    expect(loadsSeen.map((l) => l.version)).to.deep.equal([3, 4]);
  });

  it('rejects every waiting search when loading fails', async () => {
    const { client } = fakeWorker();
    const index = createVectorIndex({
      worker: client,
      loadSnapshot: async () => {
        throw new Error('db down');
      },
    });
    const outcomes = await Promise.allSettled([
      index.search(collection, Float32Array.from([0, 0]), 1),
      index.search(collection, Float32Array.from([1, 1]), 1),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
