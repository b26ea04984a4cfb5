import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { FAISS_BINDING_PATH } from '../../../src/search/faiss-binding.ts';
import { randomVector, seededRandom } from '../../support/brute-force.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const DIMENSION = 256;
const COUNT = 20_000;
const BATCH = 1000;

describe('vector-api search over a large collection', function () {
  this.timeout(180_000);
  let h: Harness;
  let token: string;
  const name = `large-${randomUUID().slice(0, 8)}`;
  const random = seededRandom(7);

  before(async () => {
    h = await startHarness();
    token = await h.token();
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: DIMENSION, metric: 'l2' } }))
        .status,
    ).to.equal(201);
    for (let start = 0; start < COUNT; start += BATCH) {
      const vectors = Array.from({ length: BATCH }, (_, i) => ({
        id: `v${start + i}`,
        vector: randomVector(random, DIMENSION),
      }));
      const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, body: { vectors } });
      expect(res.status).to.equal(200);
    }
    await h.restart(); // empty cache: the next search loads 20k x 256 into the worker, then searches
  });
  after(async () => {
    await h?.close();
  });

  it('keeps answering /healthz while searches run in the worker', async () => {
    const order: string[] = [];
    const searches = Promise.all(
      Array.from({ length: 32 }, () =>
        h.call('POST', `/v1/collections/${name}/search`, {
          token,
          body: { vector: randomVector(random, DIMENSION), k: 1000 },
        }),
      ),
    ).then((responses) => {
      order.push('search');
      return responses;
    });
    let healthChecks = 0;
    while (!order.includes('search')) {
      const res = await h.call('GET', '/healthz');
      expect(res.status).to.equal(200);
      healthChecks++;
      if (!order.includes('search')) order.push('health');
    }
    const responses = await searches;
    for (const res of responses) {
      expect(res.status).to.equal(200);
      expect(res.body.results).to.have.length(1000);
    }
    expect(healthChecks).to.be.greaterThan(0);
    expect(order[0]).to.equal('health');
    expect(order.indexOf('health')).to.be.lessThan(order.indexOf('search'));
  });

  it('never loads FAISS on the thread that serves requests', () => {
    // The searches above ran; FAISS lives only in the index worker's module graph.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((path) => path === FAISS_BINDING_PATH || path.includes('faiss-node'))).to.deep.equal(
      [],
    );
  });
});
