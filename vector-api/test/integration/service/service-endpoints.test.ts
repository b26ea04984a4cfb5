import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api service endpoints', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('serves /healthz', async () => {
    const res = await h.call('GET', '/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('is ready when Postgres and Redis answer', async () => {
    const res = await h.call('GET', '/readyz');
    expect(res.status).to.equal(200);
    expect(res.body.checks).to.deep.equal({ postgres: 'ok', redis: 'ok' });
  });

  it('serves Prometheus metrics', async () => {
    await h.call('GET', '/healthz');
    const res = await h.call('GET', '/metrics');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('http_requests_total');
  });

  it('publishes an OpenAPI 3.1 document with every route, scopes, errors and score semantics', async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).to.equal(200);
    const doc = res.body;
    expect(doc.openapi).to.match(/^3\.1\./);
    expect(doc.info.title).to.be.a('string');
    const expected: [string, string, string][] = [
      ['post', '/v1/collections', 'vectors:write'],
      ['get', '/v1/collections', 'vectors:read'],
      ['get', '/v1/collections/{name}', 'vectors:read'],
      ['delete', '/v1/collections/{name}', 'vectors:delete'],
      ['put', '/v1/collections/{name}/vectors', 'vectors:write'],
      ['post', '/v1/collections/{name}/search', 'vectors:read'],
      ['post', '/v1/collections/{name}/count', 'vectors:read'],
      ['get', '/v1/collections/{name}/vectors/{id}', 'vectors:read'],
      ['delete', '/v1/collections/{name}/vectors/{id}', 'vectors:delete'],
    ];
    for (const [method, path, scope] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).to.be.an('object');
      expect(op.security).to.deep.include({ bearer: [scope] });
      expect(op.responses['401'].content['application/json'].schema.$ref).to.equal(
        '#/components/schemas/Error',
      );
      expect(op.responses['404']).to.be.an('object');
    }
    expect(doc.components.securitySchemes.bearer).to.include({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.required).to.include.members(['error', 'message']);
    const search = doc.paths['/v1/collections/{name}/search'].post;
    // Two forms: one query (`vector`), or several (`queries`), each with `k` and an optional filter.
    const forms = search.requestBody.content['application/json'].schema.anyOf;
    expect(forms).to.have.length(2);
    for (const [form, field] of [
      [forms[0], 'vector'],
      [forms[1], 'queries'],
    ]) {
      expect(form.additionalProperties).to.equal(false);
      expect(form.required).to.include.members([field, 'k']);
      expect(form.properties.filter.description).to.match(/\$eq.*\$in.*\$exists.*\$and/s);
    }
    const results = search.responses['200'].content['application/json'].schema.properties.results;
    const score = results.anyOf[0].items.properties.score;
    expect(score.description)
      .to.match(/l2.*squared Euclidean.*lower/)
      .and.match(/cosine/)
      .and.match(/ip/);
  });

  it('answers unknown paths with the JSON error shape', async () => {
    const res = await h.call('GET', '/nope');
    expect(res.status).to.equal(404);
    expect(res.body).to.have.keys('error', 'message');
  });

  it('answers a wrong method on a known route with 405 and Allow', async () => {
    const res = await h.call('PATCH', '/v1/collections');
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.contain('POST').and.contain('GET');
    expect(res.body).to.include({ error: 'method_not_allowed' });
  });
});

describe('vector-api readiness when Redis is down', () => {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'redis connection problem' }]);
  let h: Harness;
  before(async () => {
    // port 1 on loopback: nothing listens there, connections are refused at once
    h = await startHarness({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(async () => {
    await h?.close();
  });

  it('answers /readyz 503 naming redis, while /healthz still answers', async () => {
    const res = await h.call('GET', '/readyz');
    expect(res.status).to.equal(503);
    expect(res.body.checks).to.deep.equal({ postgres: 'ok', redis: 'unavailable' });
    expect((await h.call('GET', '/healthz')).status).to.equal(200);
  });
});
