import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { slowRequest } from '../../../../shared/test/support/slow-request.ts';
import { requireTestEnv } from '../../support/test-env.ts';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer.ts';
import { spawnVectorApi, type VectorApiProcess } from '../../support/vector-api-process.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('vector-api process: SIGTERM drains requests in flight, then exits 0', function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let api: VectorApiProcess;

  before(async () => {
    const { databaseUrl, redisUrl } = requireTestEnv();
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}`;
    issuer = await startTestIssuer(audience);
    api = await spawnVectorApi(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ISSUER: issuer.issuer,
        JWKS_URI: issuer.jwksUri,
        VECTOR_API_URL: audience,
        VECTOR_DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        MASTER_KEY: randomBytes(32).toString('base64'),
        DATA_DIR: join(process.env.DATA_DIR ?? tmpdir(), 'vector-api', `drain-${randomUUID()}`),
      },
      { port },
    );
  });
  after(async () => {
    await api?.stop();
    await issuer?.close();
  });

  it('answers an upload that was in flight, refuses new connections, and exits 0 (twice signalled)', async () => {
    const token = await issuer.sign({ sub: `drain-${randomUUID()}` });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${api.url}/v1/collections`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'drain', dimension: 2, metric: 'l2' }),
    });
    expect(created.status).to.equal(201);

    const upload = slowRequest(`${api.url}/v1/collections/drain/vectors`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        vectors: [
          { id: 'a', vector: [1, 2] },
          { id: 'b', vector: [3, 4] },
        ],
      }),
    });
    await upload.started;
    const exited = once(api.child, 'exit');
    api.child.kill('SIGTERM');
    await waitFor('new connections refused during the drain', () =>
      fetch(`${api.url}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    // npm forwards a SIGTERM and a process-group kill sends another: the second must not cut the drain.
    api.child.kill('SIGTERM');

    upload.finish();
    const answer = await upload.response;
    expect(answer.status, answer.body).to.equal(200);
    expect(JSON.parse(answer.body)).to.include({ upserted: 2 });
    const [code, signal] = await exited;
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
  });
});
