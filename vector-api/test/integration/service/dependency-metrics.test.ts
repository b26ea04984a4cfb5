import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { startTcpProxy, type TcpProxy } from '../../../../shared/test/support/tcp-proxy.ts';
import { metricValue, waitFor } from '../../../../shared/test/support/wait-for.ts';
import { requireTestEnv } from '../../support/test-env.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api /metrics counts the 503s a Postgres outage causes', function () {
  this.timeout(60_000);
  // Postgres goes away on purpose: each refused request is a logged 5xx.
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'database unavailable' }]);
  let proxy: TcpProxy;
  let h: Harness;

  before(async () => {
    const url = new URL(requireTestEnv().databaseUrl);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    h = await startHarness({ VECTOR_DATABASE_URL: url.toString() });
  });
  after(async () => {
    await proxy?.restore();
    await h?.close();
    await proxy?.close();
  });

  it('answers 503 while the database is away, counts each by dependency, and recovers', async () => {
    const token = await h.token();
    expect((await h.call('GET', '/v1/collections', { token })).status).to.equal(200);
    const sample = 'dependency_unavailable_total{dependency="postgres"}';
    // The request is counted with the status it was answered with (a thrown error's, not a default).
    const answered = 'http_requests_total{route="/v1/collections",status="503"}';
    const before = (await h.call('GET', '/metrics')).text;
    await proxy.cut();
    const refused = await h.call('GET', '/v1/collections', { token });
    expect(refused.status, refused.text).to.equal(503);
    const after = (await h.call('GET', '/metrics')).text;
    expect(metricValue(after, sample)).to.equal(metricValue(before, sample) + 1);
    expect(metricValue(after, answered)).to.equal(metricValue(before, answered) + 1);
    await proxy.restore();
    await waitFor(
      'the database again',
      async () => (await h.call('GET', '/v1/collections', { token })).status === 200,
    );
  });
});
