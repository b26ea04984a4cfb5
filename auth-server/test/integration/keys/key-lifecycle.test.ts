import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  createRevocationStore,
  type RevocationStore,
} from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import {
  eventually,
  type KeyInfo,
  listKeys,
  publishedKids,
  publishedLongAgo,
  sql,
  tokenOf,
  useResetKeys,
} from './key-helpers.ts';

describe('signing keys: lifecycle through the admin API', () => {
  const stack = useAuthStack({ env: { KEY_SYNC_INTERVAL_SEC: '1' } });
  let client: { client_id: string; client_secret: string };
  let redis: Redis;
  let revocations: RevocationStore;

  before(async () => {
    client = await stack.server.createClient({
      client_name: 'key-lifecycle',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    redis = new Redis(testEnv().redisUrl);
    revocations = createRevocationStore(redis);
  });
  useResetKeys(stack);
  after(async () => {
    await redis?.quit();
  });

  /** What a resource server does: verify against the JWKS, then ask the revocation list. */
  const resourceServer = () => {
    const verifier = createAccessTokenVerifier({
      issuer: stack.server.issuer,
      audience: stack.server.config.vectorApiUrl,
      jwksUri: `${stack.server.issuer}/jwks`,
    });
    return {
      verifier,
      async accepts(token: string, using: AccessTokenVerifier = verifier) {
        try {
          return !(await revocations.isRevoked(await using.verify(token)));
        } catch {
          return false;
        }
      },
    };
  };
  const post = async (path: string, body: unknown = {}) => {
    const res = await stack.server.admin('POST', path, body);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const stage = async (alg?: string) => {
    const res = await post('/admin/keys/rotate', alg ? { alg } : {});
    expect(res.status).to.equal(201);
    return res.body.key as KeyInfo;
  };
  const current = async () => (await listKeys(stack.server)).find((k) => k.status === 'current')!;
  const stageAndPromote = async (alg?: string) => {
    const next = await stage(alg);
    await publishedLongAgo(next.kid);
    expect((await post(`/admin/keys/${next.kid}/promote`)).status).to.equal(200);
    return next;
  };

  it('stages a next key: published in the JWKS with cache headers, not signing', async () => {
    const before = await current();
    const next = await stage();
    expect(next).to.include({ status: 'next', alg: 'ES256' });
    expect(next.promotableAt).to.be.a('string');
    const res = await fetch(`${stack.server.issuer}/jwks`);
    expect(res.headers.get('cache-control')).to.equal(
      `public, max-age=${stack.server.config.keys.jwksMaxAgeSec}`,
    );
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.kid)).to.include.members([before.kid, next.kid]);
    for (const key of keys) expect(key).to.not.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi');
    expect((await tokenOf(stack.server, client)).kid).to.equal(before.kid);
  });

  it('refuses a second next key while one is staged (409)', async () => {
    const res = await post('/admin/keys/rotate');
    expect(res.status).to.equal(409);
    expect(res.body.message).to.match(/already staged/);
  });

  it('refuses to promote a next key published less than KEY_PUBLISH_WAIT_SEC ago (409)', async () => {
    const next = (await listKeys(stack.server)).find((k) => k.status === 'next')!;
    const res = await post(`/admin/keys/${next.kid}/promote`);
    expect(res.status).to.equal(409);
    expect(res.body.message).to.match(/KEY_PUBLISH_WAIT_SEC/);
    expect((await current()).kid).to.not.equal(next.kid);
  });

  it('promotes next -> current and current -> retired: new tokens carry the new kid, old ones still verify', async () => {
    const rs = resourceServer();
    const old = await current();
    const oldToken = await tokenOf(stack.server, client);
    expect(await rs.accepts(oldToken.token)).to.equal(true);
    const next = (await listKeys(stack.server)).find((k) => k.status === 'next')!;
    await publishedLongAgo(next.kid);

    const res = await post(`/admin/keys/${next.kid}/promote`);
    expect(res.status).to.equal(200);
    expect(res.body.current).to.include({ kid: next.kid, status: 'current' });
    expect(res.body.retired).to.include({ kid: old.kid, status: 'retired' });
    expect((res.body.retired as KeyInfo).removeAfter).to.be.a('string');

    const fresh = await tokenOf(stack.server, client);
    expect(fresh.kid).to.equal(next.kid);
    expect(await rs.accepts(fresh.token)).to.equal(true);
    expect(await rs.accepts(oldToken.token)).to.equal(true);
    expect(await resourceServer().accepts(oldToken.token)).to.equal(true);
    expect(await publishedKids(stack.server.issuer)).to.include.members([old.kid, next.kid]);
  });

  it('answers 404 for an unknown kid and 409 for a transition its state does not allow', async () => {
    for (const action of ['promote', 'retire', 'revoke']) {
      const res = await post(`/admin/keys/no-such-kid/${action}`);
      expect(res.status, action).to.equal(404);
      expect(res.body.error).to.equal('not_found');
    }
    const keys = await listKeys(stack.server);
    const retired = keys.find((k) => k.status === 'retired')!;
    const cur = keys.find((k) => k.status === 'current')!;
    for (const kid of [retired.kid, cur.kid]) {
      const res = await post(`/admin/keys/${kid}/promote`);
      expect(res.status).to.equal(409);
      expect(res.body).to.include({ error: 'conflict' });
      expect(res.body.message).to.match(/only a next key can be promoted/);
    }
    const retireCurrent = await post(`/admin/keys/${cur.kid}/retire`);
    expect(retireCurrent.status).to.equal(409);
    expect(retireCurrent.body.message).to.match(/promote a next key instead/);
    expect((await post('/admin/keys/rotate', { alg: 'HS256' })).status).to.equal(400);
  });

  it('withdraws a staged next key with retire (it never signed)', async () => {
    const next = await stage();
    const res = await post(`/admin/keys/${next.kid}/retire`);
    expect(res.status).to.equal(200);
    expect(res.body.key).to.include({ kid: next.kid, status: 'retired' });
    expect((await post(`/admin/keys/${next.kid}/retire`)).status).to.equal(409);
    expect((await post(`/admin/keys/${next.kid}/promote`)).status).to.equal(409);
  });

  it('removes a retired key from the JWKS once every token it signed has expired', async () => {
    const retired = (await listKeys(stack.server)).filter((k) => k.status === 'retired');
    expect(retired.length).to.be.greaterThan(0);
    const [kept, ...expired] = retired;
    for (const key of expired) {
      await sql("update signing_key set retired_at = now() - interval '2 days' where kid = $1", [key.kid]);
    }
    await eventually('expired retired keys removed', async () => {
      const kids = await publishedKids(stack.server.issuer);
      return expired.every((k) => !kids.includes(k.kid)) && kids.includes(kept!.kid);
    });
    const listed = (await listKeys(stack.server)).map((k) => k.kid);
    for (const key of expired) expect(listed).to.not.include(key.kid);
  });

  it('revokes a retired key: unpublished at once, its tokens refused by resource servers, others not', async () => {
    const rs = resourceServer();
    const before = await tokenOf(stack.server, client);
    await stageAndPromote();
    const after = await tokenOf(stack.server, client);
    expect(after.kid).to.not.equal(before.kid);
    expect(await rs.accepts(before.token)).to.equal(true); // the verifier now caches the old key

    const res = await post(`/admin/keys/${before.kid}/revoke`);
    expect(res.status).to.equal(200);
    expect(res.body.revoked).to.include({ kid: before.kid, status: 'revoked' });
    expect(res.body.current).to.include({ kid: after.kid });
    expect(await publishedKids(stack.server.issuer)).to.not.include(before.kid);
    expect(await rs.accepts(before.token)).to.equal(false);
    expect(await rs.accepts(after.token)).to.equal(true);
    // The auth server's own introspection no longer knows the token either.
    const introspection = await fetch(`${stack.server.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: before.token }),
    });
    expect(await introspection.json()).to.deep.equal({ active: false });
  });

  it('is safe to retry a revocation (a revoked key stays revoked, nothing else changes)', async () => {
    const revoked = (await listKeys(stack.server)).find((k) => k.status === 'revoked')!;
    const cur = await current();
    const res = await post(`/admin/keys/${revoked.kid}/revoke`);
    expect(res.status).to.equal(200);
    expect(res.body.current).to.include({ kid: cur.kid });
    expect((await post(`/admin/keys/${revoked.kid}/promote`)).status).to.equal(409);
  });

  it('revoking the current key promotes the staged next key (already known to resource servers)', async () => {
    const rs = resourceServer();
    const before = await tokenOf(stack.server, client);
    const next = await stage();
    const res = await post(`/admin/keys/${before.kid}/revoke`);
    expect(res.status).to.equal(200);
    expect(res.body.current).to.include({ kid: next.kid, status: 'current' });
    const after = await tokenOf(stack.server, client);
    expect(after.kid).to.equal(next.kid);
    expect(await rs.accepts(before.token)).to.equal(false);
    expect(await rs.accepts(after.token)).to.equal(true);
  });

  it('revoking the current key with no next key generates a new current key at once', async () => {
    const rs = resourceServer();
    const before = await tokenOf(stack.server, client);
    expect((await listKeys(stack.server)).some((k) => k.status === 'next')).to.equal(false);
    const res = await post(`/admin/keys/${before.kid}/revoke`);
    expect(res.status).to.equal(200);
    const fresh = res.body.current as KeyInfo;
    expect(fresh.kid).to.not.equal(before.kid);
    expect(fresh.status).to.equal('current');
    const after = await tokenOf(stack.server, client);
    expect(after.kid).to.equal(fresh.kid);
    expect(await publishedKids(stack.server.issuer))
      .to.include(fresh.kid)
      .and.not.include(before.kid);
    expect(await rs.accepts(before.token)).to.equal(false);
    expect(await rs.accepts(after.token)).to.equal(true);
  });

  it('changes the algorithm through a rotation: tokens of the earlier algorithm keep verifying', async () => {
    const rs = resourceServer();
    const es256 = await tokenOf(stack.server, client);
    expect(decodeProtectedHeader(es256.token).alg).to.equal('ES256');
    const next = await stageAndPromote('EdDSA');
    const eddsa = await tokenOf(stack.server, client);
    expect(eddsa.kid).to.equal(next.kid);
    expect(decodeProtectedHeader(eddsa.token).alg).to.equal('EdDSA');
    expect(await rs.accepts(eddsa.token)).to.equal(true);
    expect(await rs.accepts(es256.token)).to.equal(true);
    const discovery = (await (
      await fetch(`${stack.server.issuer}/.well-known/openid-configuration`)
    ).json()) as {
      id_token_signing_alg_values_supported: string[];
    };
    expect(discovery.id_token_signing_alg_values_supported).to.include.members(['ES256', 'EdDSA']);

    await stageAndPromote('ES256');
    const back = await tokenOf(stack.server, client);
    expect(decodeProtectedHeader(back.token).alg).to.equal('ES256');
    expect(await rs.accepts(eddsa.token)).to.equal(true);
  });
});
