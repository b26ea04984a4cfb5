import { expect } from 'chai';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const AUDIENCE = 'http://localhost:4000';

describe('vector-api in production behind TRUST_PROXY: no request served over plain http', function () {
  this.timeout(30_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({ NODE_ENV: 'production', TRUST_PROXY: 'true', VECTOR_API_URL: AUDIENCE });
  });
  after(() => h?.close());

  it('answers 400 invalid_request to what the proxy received over http, and serves https', async () => {
    const token = await h.token({ aud: AUDIENCE });
    const list = (proto: string) =>
      fetch(`${h.url}/v1/collections`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': proto },
      });
    const refused = await list('http');
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.include({ error: 'invalid_request' });
    expect((await list('https')).status).to.equal(200);
  });

  it('refuses plain http however the header is spelled, and whatever the client wrote before the proxy’s entry', async () => {
    const token = await h.token({ aud: AUDIENCE });
    const list = (proto: string) =>
      fetch(`${h.url}/v1/collections`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': proto },
      });
    // `https, http`: the client sent "https" over plain http to a proxy that appends its own entry.
    for (const proto of ['HTTP', ' http ', 'http,https', 'https, http', 'https,http', 'https, ws']) {
      expect((await list(proto)).status, proto).to.equal(400);
    }
    for (const proto of ['HTTPS', ' https ', 'https, https'])
      expect((await list(proto)).status, proto).to.equal(200);
  });

  it('keeps answering internal health checks that carry no proxy header', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).to.equal(200);
  });
});
