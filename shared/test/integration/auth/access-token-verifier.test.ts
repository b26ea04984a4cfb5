import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createAccessTokenVerifier } from '../../../src/auth/access-token-verifier.ts';
import { InvalidTokenError, ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { freePort } from '../../../src/http/free-port.ts';

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** A JWKS endpoint whose key set the test changes, counting fetches. */
describe('access-token verifier: key rotation at the issuer', () => {
  let server: Server;
  let jwksUri: string;
  let published: JWK[] = [];
  let fetches = 0;
  const issuer = 'https://issuer.example';
  const audience = 'https://vectors.example';

  before(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  const newKey = async (): Promise<TestKey> => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = randomUUID();
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  };
  const sign = (key: TestKey, header: { kid?: string } = { kid: key.kid }) =>
    new SignJWT({ client_id: 'c', scope: 'vectors:read', jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...header })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('s')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
  const verifier = (options: { jwksCacheMaxAgeMs?: number; jwksCooldownMs?: number } = {}) =>
    createAccessTokenVerifier({ issuer, audience, jwksUri, ...options });
  const refused = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      return err instanceof InvalidTokenError;
    }
    return false;
  };

  it('verifies a promoted key that was published as next, with no failure and no extra fetch', async () => {
    const current = await newKey();
    const next = await newKey();
    published = [current.jwk, next.jwk];
    const v = verifier();
    fetches = 0;
    expect((await v.verify(await sign(current))).sub).to.equal('s');
    expect((await v.verify(await sign(next))).sub).to.equal('s');
    expect(fetches).to.equal(1);
  });

  it('never takes a key from the token header (jwk, jku, x5u), even one naming an announced kid', async () => {
    const real = await newKey();
    const forged = await newKey();
    published = [real.jwk];
    let headerFetches = 0;
    const attacker = createServer((_req, res) => {
      headerFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [forged.jwk] }));
    });
    await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
    const jku = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks`;
    try {
      const v = verifier();
      v.expectKeys([forged.kid]);
      const { kty, crv, x, y } = forged.jwk;
      for (const header of [
        { kid: forged.kid, jwk: { kty, crv, x, y } },
        { kid: forged.kid, jku },
        { kid: forged.kid, x5u: jku },
        { kid: real.kid, jwk: { kty, crv, x, y } }, // the real kid, the attacker's key
      ]) {
        expect(
          await refused(v.verify(await sign(forged, header as { kid: string }))),
          JSON.stringify(header),
        ).to.equal(true);
      }
      expect(headerFetches, 'nothing fetched from a header URL').to.equal(0);
    } finally {
      await new Promise<void>((done) => attacker.close(() => done()));
    }
  });

  it('puts the kid in the claims (the revocation list refuses a revoked key by it)', async () => {
    const key = await newKey();
    published = [key.jwk];
    expect((await verifier().verify(await sign(key))).kid).to.equal(key.kid);
  });

  it('refetches the JWKS for an unknown kid once the cooldown has passed', async () => {
    const first = await newKey();
    published = [first.jwk];
    const v = verifier({ jwksCooldownMs: 50 });
    await v.verify(await sign(first));
    const late = await newKey();
    published = [first.jwk, late.jwk];
    await sleep(60);
    expect((await v.verify(await sign(late))).kid).to.equal(late.kid);
  });

  it('drops a key that left the JWKS at the next fetch', async () => {
    const leaving = await newKey();
    const staying = await newKey();
    published = [leaving.jwk, staying.jwk];
    const v = verifier({ jwksCacheMaxAgeMs: 50, jwksCooldownMs: 10 });
    const token = await sign(leaving);
    await v.verify(token);
    published = [staying.jwk];
    await sleep(60);
    expect(await refused(v.verify(token))).to.equal(true);
    expect((await v.verify(await sign(staying))).kid).to.equal(staying.kid);
  });

  it('verifies an announced kid on first sight while the refetch cooldown runs', async () => {
    const first = await newKey();
    published = [first.jwk];
    const v = verifier({ jwksCooldownMs: 600_000 });
    fetches = 0;
    await v.verify(await sign(first));
    const replacement = await newKey();
    published = [replacement.jwk];
    v.expectKeys([replacement.kid]);
    expect((await v.verify(await sign(replacement))).kid).to.equal(replacement.kid);
    expect(fetches).to.equal(2);
  });

  it('never refetches for kids nobody announced, and a bounded number of times for an announced one', async () => {
    const key = await newKey();
    published = [key.jwk];
    const v = verifier({ jwksCooldownMs: 600_000 });
    fetches = 0;
    await v.verify(await sign(key));
    v.expectKeys(['announced-but-never-published']);
    const stranger = await newKey();
    for (let i = 0; i < 20; i++) {
      expect(await refused(v.verify(await sign(stranger, { kid: randomUUID() })))).to.equal(true);
      expect(
        await refused(v.verify(await sign(stranger, { kid: 'announced-but-never-published' }))),
      ).to.equal(true);
    }
    expect(fetches).to.be.at.least(2);
    expect(fetches).to.be.at.most(1 + 5);
  });

  it('stops honouring a remembered token once a JWKS refetch no longer has its key', async () => {
    const leaving = await newKey();
    published = [leaving.jwk];
    const v = verifier({ jwksCooldownMs: 600_000 });
    const token = await sign(leaving);
    await v.verify(token);
    expect((await v.verify(token)).kid, 'remembered').to.equal(leaving.kid);
    const replacement = await newKey();
    published = [replacement.jwk];
    // The notice still names the leaving key; the refetch it causes is what drops it.
    v.expectKeys([leaving.kid, replacement.kid]);
    expect((await v.verify(await sign(replacement))).kid).to.equal(replacement.kid);
    expect(await refused(v.verify(token))).to.equal(true);
  });

  it('refuses a remembered token once it has expired (beyond the clock tolerance)', async () => {
    const key = await newKey();
    published = [key.jwk];
    let clock = Date.now();
    const v = createAccessTokenVerifier({
      issuer,
      audience,
      jwksUri,
      clockToleranceSec: 5,
      now: () => clock,
    });
    const token = await sign(key); // expires in 5 minutes
    await v.verify(token);
    clock += 5 * 60_000;
    expect((await v.verify(token)).kid, 'within the tolerance').to.equal(key.kid);
    clock += 6_000;
    let error: unknown;
    try {
      await v.verify(token);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).message).to.equal('the access token has expired');
  });

  it('refuses a token whose header names no kid, even when one key would fit', async () => {
    const key = await newKey();
    published = [key.jwk];
    expect(await refused(verifier().verify(await sign(key, {})))).to.equal(true);
  });

  it('answers 503 (not 401) while the JWKS cannot be reached at all', async () => {
    const key = await newKey();
    const unreachable = createAccessTokenVerifier({
      issuer,
      audience,
      jwksUri: `http://127.0.0.1:${await freePort()}/jwks`,
    });
    let error: unknown;
    try {
      await unreachable.verify(await sign(key));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).dependency).to.equal('jwks');
  });
});
