import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api bearer authentication', () => {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'permission denied' }]);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  const list = (token?: string, headers?: Record<string, string>) =>
    h.call('GET', '/v1/collections', { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });

  function expectInvalidToken(res: {
    status: number;
    headers: Headers;
    body: { error: string; message: string };
  }) {
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer /);
    expect(res.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    expect(res.body.error).to.equal('invalid_token');
    expect(res.body.message).to.be.a('string').and.not.empty;
  }

  it('accepts a valid token', async () => {
    const res = await list(await h.token({ scope: 'vectors:read' }));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ collections: [] });
  });

  it('answers 401 with a Bearer challenge when the token is missing', async () => {
    const res = await list();
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
    expect(res.body.error).to.equal('invalid_token');
  });

  it('refuses a malformed Authorization header and a non-JWT token', async () => {
    expectInvalidToken(await list(undefined, { authorization: 'Basic dXNlcjpwYXNz' }));
    expectInvalidToken(await list('not-a-jwt'));
  });

  it('refuses an expired token', async () => {
    expectInvalidToken(await list(await h.token({ expiresIn: -60 })));
  });

  it('refuses a token for another audience', async () => {
    expectInvalidToken(await list(await h.token({ aud: 'http://other-api.test' })));
  });

  it('refuses a token from another issuer', async () => {
    expectInvalidToken(await list(await h.token({ iss: 'http://evil.test' })));
  });

  it('refuses a token whose typ is not at+jwt', async () => {
    expectInvalidToken(await list(await h.token({ typ: 'JWT' })));
  });

  it('refuses a token signed by another key under the published kid', async () => {
    expectInvalidToken(await list(await h.token({ foreignKey: true })));
  });

  it('refuses an unsigned (alg none) token', async () => {
    expectInvalidToken(await list(h.issuer.unsigned()));
  });

  it('refuses a token without the required claims', async () => {
    expectInvalidToken(await list(await h.token({ omit: ['client_id'] })));
  });

  it('does not accept a token in the query string', async () => {
    const token = await h.token();
    const res = await h.call('GET', `/v1/collections?access_token=${encodeURIComponent(token)}`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer /);
  });

  it('answers 403 insufficient_scope when the scope is missing', async () => {
    const readOnly = await h.token({ scope: 'vectors:read' });
    const create = await h.call('POST', '/v1/collections', {
      token: readOnly,
      body: { name: 'c', dimension: 2, metric: 'l2' },
    });
    expect(create.status).to.equal(403);
    expect(create.headers.get('www-authenticate')).to.contain('error="insufficient_scope"');
    expect(create.headers.get('www-authenticate')).to.contain('scope="vectors:write"');
    expect(create.body.error).to.equal('insufficient_scope');

    const writeOnly = await h.token({ scope: 'vectors:write' });
    const read = await h.call('GET', '/v1/collections', { token: writeOnly });
    expect(read.status).to.equal(403);
    expect(read.headers.get('www-authenticate')).to.contain('error="insufficient_scope"');

    const del = await h.call('DELETE', '/v1/collections/c', { token: writeOnly });
    expect(del.status).to.equal(403);
    expect(del.headers.get('www-authenticate')).to.contain('scope="vectors:delete"');
  });
});
