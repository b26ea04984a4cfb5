import { request } from 'node:http';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { createDpopKey, type DpopKey } from '../../../../shared/test/support/dpop-key.ts';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { type ApiResponse, type Harness, startHarness } from '../../support/vector-api-harness.ts';

/** RFC 9449 at the vector API: DPoP-bound tokens, their proofs, and every refusal an attacker meets. */
describe('vector-api DPoP (RFC 9449) and challenges (RFC 9728)', () => {
  expectLogLines([{ service: 'vector-api', level: 'warn', msg: 'permission denied' }]);
  let h: Harness;
  let key: DpopKey;
  // The URL clients address (VECTOR_API_URL), which proofs name in htu; the harness listens elsewhere.
  const publicUrl = (path: string) => `${h.env.VECTOR_API_URL}${path}`;
  const metadataUrl = () => `${h.env.VECTOR_API_URL}/.well-known/oauth-protected-resource`;

  before(async () => {
    h = await startHarness();
    key = await createDpopKey();
  });
  after(async () => {
    await h?.close();
  });

  const bound = (scope = 'vectors:read vectors:write') => h.token({ scope, cnf: { jkt: key.jkt } });
  const withProof = async (
    token: string,
    proofOptions: Partial<Parameters<DpopKey['proof']>[0]> = {},
    path = '/v1/collections',
    via = h,
  ): Promise<ApiResponse> => {
    const proof = await key.proof({
      method: 'GET',
      url: publicUrl(path),
      accessToken: token,
      ...proofOptions,
    });
    return via.call('GET', path, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
  };
  const challenges = (res: ApiResponse) => res.headers.get('www-authenticate') ?? '';
  function expectDpopRefusal(res: ApiResponse, error = 'invalid_dpop_proof') {
    expect(res.status, res.text).to.equal(401);
    expect(res.body.error).to.equal(error);
    expect(challenges(res)).to.match(new RegExp(`DPoP .*error="${error}"`));
  }

  it('serves its protected resource metadata, which names the authorization server and DPoP', async () => {
    const res = await h.call('GET', '/.well-known/oauth-protected-resource');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({
      resource: h.env.VECTOR_API_URL,
      authorization_servers: [h.env.ISSUER],
      scopes_supported: ['vectors:read', 'vectors:write', 'vectors:delete'],
      bearer_methods_supported: ['header'],
      dpop_bound_access_tokens_required: false,
    });
    expect(res.body.dpop_signing_alg_values_supported).to.include('ES256');
    expect(res.body.dpop_signing_alg_values_supported).to.not.include('HS256');
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect(res.headers.get('cache-control')).to.contain('max-age');
  });

  it('a request without a token gets Bearer and DPoP challenges naming the metadata, without an error', async () => {
    const res = await h.call('GET', '/v1/collections');
    expect(res.status).to.equal(401);
    const header = challenges(res);
    expect(header).to.match(/^Bearer realm="vector-api", resource_metadata="[^"]+"/);
    expect(header).to.contain(`resource_metadata="${metadataUrl()}"`);
    expect(header).to.match(/DPoP realm="vector-api", resource_metadata="[^"]+", algs="[^"]*ES256/);
    expect(header).to.not.contain('error=');
  });

  it('a token without the scope gets insufficient_scope with the scope it needs (step-up)', async () => {
    const token = await h.token({ scope: 'vectors:read' });
    const res = await h.call('POST', '/v1/collections', {
      token,
      body: { name: 'c', dimension: 2, metric: 'l2' },
    });
    expect(res.status).to.equal(403);
    expect(challenges(res)).to.match(
      /^Bearer realm="vector-api", resource_metadata="[^"]+", error="insufficient_scope", error_description="[^"]+", scope="vectors:write"/,
    );
  });

  it('accepts a DPoP-bound token with a proof by its key, also for a URL with a query', async () => {
    const token = await bound();
    expect((await withProof(token)).status).to.equal(200);
    const proof = await key.proof({ method: 'GET', url: publicUrl('/v1/collections'), accessToken: token });
    const res = await h.call('GET', '/v1/collections?limit=5', {
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    expect(res.status, res.text).to.equal(200);
  });

  it('refuses a DPoP-bound token presented as a bearer token', async () => {
    const res = await h.call('GET', '/v1/collections', { token: await bound() });
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal('invalid_token');
    expect(res.body.message).to.contain('DPoP');
    expect(challenges(res)).to.match(/^Bearer .*error="invalid_token"/);
  });

  it('refuses an unbound token presented with the DPoP scheme', async () => {
    const token = await h.token({ scope: 'vectors:read' });
    const res = await withProof(token);
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal('invalid_token');
    expect(challenges(res)).to.match(/DPoP .*error="invalid_token"/);
  });

  it('refuses a token bound some other way (mTLS) or with a malformed cnf', async () => {
    for (const cnf of [{ 'x5t#S256': 'a'.repeat(43) }, { jkt: 'short' }, 'jkt', { jkt: key.jkt, extra: 1 }]) {
      const token = await h.token({ scope: 'vectors:read', cnf });
      expect((await h.call('GET', '/v1/collections', { token })).status, JSON.stringify(cnf)).to.equal(401);
      expect((await withProof(token)).status, JSON.stringify(cnf)).to.equal(401);
    }
  });

  it('refuses a bound token without a proof', async () => {
    const token = await bound();
    const res = await h.call('GET', '/v1/collections', { headers: { authorization: `DPoP ${token}` } });
    expectDpopRefusal(res);
  });

  it('refuses a proof signed by another key than the one the token is bound to', async () => {
    const other = await createDpopKey();
    const token = await bound();
    const proof = await other.proof({ method: 'GET', url: publicUrl('/v1/collections'), accessToken: token });
    const res = await h.call('GET', '/v1/collections', {
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    expectDpopRefusal(res);
  });

  it('refuses a proof for another method or another URL', async () => {
    const token = await bound();
    expectDpopRefusal(await withProof(token, { method: 'POST' }));
    expectDpopRefusal(await withProof(token, { url: publicUrl('/v1/usage') }));
    expectDpopRefusal(await withProof(token, { url: 'http://attacker.test/v1/collections' }));
    expectDpopRefusal(await withProof(token, { url: 'not a url' }));
  });

  it('refuses a replayed proof, also at another instance sharing the Redis', async () => {
    const token = await bound();
    const proof = await key.proof({ method: 'GET', url: publicUrl('/v1/collections'), accessToken: token });
    const send = (via: Harness) =>
      via.call('GET', '/v1/collections', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect((await send(h)).status).to.equal(200);
    expectDpopRefusal(await send(h));
    const second = await startHarness({ MASTER_KEY: h.env.MASTER_KEY as string }, { issuer: h.issuer });
    try {
      expectDpopRefusal(await send(second));
      expect((await withProof(token, {}, '/v1/collections', second)).status, 'a fresh proof passes').to.equal(
        200,
      );
    } finally {
      await second.close();
    }
  });

  it('refuses a stale proof, one from the future, and one without iat or jti', async () => {
    const token = await bound();
    const now = Math.floor(Date.now() / 1000);
    expectDpopRefusal(await withProof(token, { iat: now - 600 }));
    expectDpopRefusal(await withProof(token, { iat: now + 600 }));
    expectDpopRefusal(await withProof(token, { omit: ['iat'] }));
    expectDpopRefusal(await withProof(token, { omit: ['jti'] }));
    expectDpopRefusal(await withProof(token, { jti: 'j'.repeat(300) }));
  });

  it('refuses a proof made for another access token (ath) or without ath', async () => {
    const token = await bound();
    expectDpopRefusal(await withProof(token, { accessToken: await bound() }));
    expectDpopRefusal(await withProof(token, { omit: ['ath'] }));
  });

  it('refuses a proof of the wrong type, carrying a private key, or not a JWS', async () => {
    const token = await bound();
    expectDpopRefusal(await withProof(token, { header: { typ: 'JWT' } }));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expectDpopRefusal(await withProof(token, { header: { jwk: await exportJWK(privateKey) } }));
    const res = await h.call('GET', '/v1/collections', {
      headers: { authorization: `DPoP ${token}`, dpop: 'eyJhbGciOiJub25lIn0.e30.' },
    });
    expectDpopRefusal(res);
  });

  it('judges the key by its thumbprint: extra members change nothing, another curve point is refused', async () => {
    const token = await bound();
    const padded = { ...key.jwk, note: 'x'.repeat(2000), kid: 'whatever' };
    expect((await withProof(token, { header: { jwk: padded } })).status).to.equal(200);
    const other = await createDpopKey();
    expectDpopRefusal(await withProof(token, { header: { jwk: { ...key.jwk, x: other.jwk.x } } }));
  });

  it('refuses a request carrying two DPoP headers', async () => {
    const token = await bound();
    const url = publicUrl('/v1/collections');
    const proofs = [
      await key.proof({ method: 'GET', url, accessToken: token }),
      await key.proof({ method: 'GET', url, accessToken: token }),
    ];
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${h.url}/v1/collections`,
        { headers: { authorization: `DPoP ${token}`, dpop: proofs } },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).to.equal(401);
    expect(JSON.parse(body).error).to.equal('invalid_dpop_proof');
  });
});

describe('vector-api DPoP with server nonces (VECTOR_DPOP_NONCE=on)', () => {
  let h: Harness;
  let key: DpopKey;
  before(async () => {
    h = await startHarness({ VECTOR_DPOP_NONCE: 'on' });
    key = await createDpopKey();
  });
  after(async () => {
    await h?.close();
  });

  const send = async (token: string, nonce?: string, via = h) => {
    const proof = await key.proof({
      method: 'GET',
      url: `${h.env.VECTOR_API_URL}/v1/collections`,
      accessToken: token,
      ...(nonce ? { claims: { nonce } } : {}),
    });
    return via.call('GET', '/v1/collections', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
  };

  it('asks for a nonce (use_dpop_nonce, DPoP-Nonce), takes the proof that carries it, and hands it on', async () => {
    const token = await h.token({ scope: 'vectors:read', cnf: { jkt: key.jkt } });
    const first = await send(token);
    expect(first.status).to.equal(401);
    expect(first.body.error).to.equal('use_dpop_nonce');
    expect(first.headers.get('www-authenticate')).to.match(/DPoP .*error="use_dpop_nonce"/);
    const nonce = first.headers.get('dpop-nonce') ?? '';
    expect(nonce).to.not.equal('');
    const second = await send(token, nonce);
    expect(second.status, second.text).to.equal(200);
    expect(second.headers.get('dpop-nonce')).to.be.a('string');
    expect((await send(token, 'made-up-nonce')).body.error).to.equal('use_dpop_nonce');
  });

  it("takes one instance's nonce at another that shares the master key", async () => {
    const token = await h.token({ scope: 'vectors:read', cnf: { jkt: key.jkt } });
    const nonce = (await send(token)).headers.get('dpop-nonce') ?? '';
    const second = await startHarness(
      { VECTOR_DPOP_NONCE: 'on', MASTER_KEY: h.env.MASTER_KEY as string },
      { issuer: h.issuer },
    );
    try {
      expect((await send(token, nonce, second)).status).to.equal(200);
    } finally {
      await second.close();
    }
  });
});
