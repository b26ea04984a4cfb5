import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api: per-principal rate limits and browser defences', () => {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'rate limit hit' }]);
  let h: Harness;
  let heavyClient: string;

  before(async () => {
    heavyClient = `batch-${randomUUID()}`;
    h = await startHarness({
      VECTOR_RATE_LIMIT: '3',
      VECTOR_RATE_LIMIT_SCOPES: 'vectors:write=1',
      VECTOR_RATE_LIMIT_CLIENTS: `${heavyClient}=6`,
      CORS_ORIGINS: 'https://app.example',
    });
  });
  after(() => h?.close());

  it('limits each principal per scope, with 429, Retry-After and RateLimit-* headers', async () => {
    const token = await h.token();
    for (let i = 0; i < 3; i++) {
      const ok = await h.call('GET', '/v1/collections', { token });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('ratelimit-limit')).to.equal('3');
    }
    const refused = await h.call('GET', '/v1/collections', { token });
    expect(refused.status).to.equal(429);
    expect(refused.body).to.include({ error: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(
      (await h.call('GET', '/v1/collections', { token: await h.token() })).status,
      'another principal is not affected',
    ).to.equal(200);
  });

  it('applies per-scope and per-client overrides', async () => {
    const token = await h.token();
    const write = () =>
      h.call('POST', '/v1/collections', {
        token,
        body: { name: `c${randomUUID().slice(0, 8)}`, dimension: 2, metric: 'l2' },
      });
    expect((await write()).status).to.equal(201);
    expect((await write()).status, 'vectors:write allows 1').to.equal(429);
    const heavy = await h.token({ clientId: heavyClient });
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await h.call('GET', '/v1/collections', { token: heavy })).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429]);
  });

  it('answers CORS only for listed origins, without credentials, and sends security headers', async () => {
    const allowed = await h.call('OPTIONS', '/v1/collections', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(allowed.status).to.equal(204);
    expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).to.equal(null);
    const denied = await h.call('OPTIONS', '/v1/collections', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.headers.get('access-control-allow-origin')).to.equal(null);
    const res = await h.call('GET', '/healthz');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'");
  });
});

describe('vector-api: permission denied is audited', () => {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'permission denied' }]);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('records a 403 insufficient_scope in audit_event', async () => {
    const { default: pg } = await import('pg');
    const token = await h.token({ scope: 'vectors:read' });
    const res = await h.call('POST', '/v1/collections', {
      token,
      body: { name: 'x', dimension: 2, metric: 'l2' },
      headers: { 'x-request-id': `audit-${randomUUID()}` },
    });
    expect(res.status).to.equal(403);
    const db = new pg.Client({ connectionString: h.env.VECTOR_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(
        "select * from audit_event where action = 'permission.denied' and request_id = $1",
        [res.headers.get('x-request-id')],
      );
      expect(rows).to.have.length(1);
      expect(rows[0].detail).to.include({ scope: 'vectors:write', method: 'POST' });
    } finally {
      await db.end();
    }
    const admin = await h.token({ scope: 'admin' });
    const listed = await h.call(
      'GET',
      `/v1/admin/audit?action=permission.denied&subject=${encodeURIComponent(token ? JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub : '')}&limit=5`,
      { token: admin },
    );
    expect(listed.status).to.equal(200);
    expect(listed.body.events.map((e: { action: string }) => e.action)).to.deep.equal(['permission.denied']);
    expect((await h.call('GET', '/v1/admin/audit?limit=9999', { token: admin })).status).to.equal(400);
    expect((await h.call('GET', '/v1/admin/audit?surprise=1', { token: admin })).status).to.equal(400);
    expect((await h.call('GET', '/v1/admin/audit', { token })).status, 'needs the admin scope').to.equal(403);
  });
});
