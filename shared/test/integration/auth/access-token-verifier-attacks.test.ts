import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createAccessTokenVerifier } from '../../../src/auth/access-token-verifier.ts';
import { InvalidTokenError } from '../../../src/errors/errors.ts';

/**
 * Tokens an attacker crafts with a key the issuer really publishes (the signature verifies):
 * ambiguous JSON (a member twice, which `JSON.parse` would resolve as "last one wins") and an
 * `iat` in the future. The JSON text is written by hand and signed as is.
 */
describe('access-token verifier: ambiguous and future-dated tokens signed by a published key', () => {
  let server: Server;
  let jwksUri: string;
  let privateKey: CryptoKey;
  let kid: string;
  const issuer = 'https://issuer.example';
  const audience = 'https://vectors.example';

  before(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  const verifier = () => createAccessTokenVerifier({ issuer, audience, jwksUri, clockToleranceSec: 5 });
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  /** Signs the exact header and payload texts (ES256, raw r||s signature). */
  const signRaw = async (header: string, payload: string) => {
    const input = `${b64(header)}.${b64(payload)}`;
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${Buffer.from(sig).toString('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const header = () => `{"alg":"ES256","typ":"at+jwt","kid":"${kid}"}`;
  /** The claims of a valid token as JSON members (no braces), `extra` appended. */
  const members = (extra = '', iat = now()) =>
    `"iss":"${issuer}","aud":"${audience}","sub":"alice","client_id":"c","scope":"vectors:read",` +
    `"jti":"${randomUUID()}","iat":${iat},"exp":${now() + 300}${extra}`;
  const refusal = async (token: string): Promise<string> => {
    try {
      await verifier().verify(token);
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidTokenError);
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('accepts the hand-written token without duplicates (the control)', async () => {
    const claims = await verifier().verify(await signRaw(header(), `{${members()}}`));
    expect(claims.sub).to.equal('alice');
  });

  it('refuses a payload naming "sub" twice (never "last one wins")', async () => {
    expect(await refusal(await signRaw(header(), `{${members()},"sub":"bob"}`))).to.match(/ambiguous/);
  });

  it('refuses a duplicate hidden behind a JSON escape ("\\u0073ub" is "sub")', async () => {
    expect(await refusal(await signRaw(header(), `{${members()},"\\u0073ub":"bob"}`))).to.match(/ambiguous/);
  });

  it('refuses a duplicate inside a nested object of the payload', async () => {
    const nested = ',"act":{"sub":"x","sub":"y"}';
    expect(await refusal(await signRaw(header(), `{${members(nested)}}`))).to.match(/ambiguous/);
  });

  it('refuses a header naming "typ" twice, the last one being at+jwt', async () => {
    const dup = `{"alg":"ES256","typ":"JWT","typ":"at+jwt","kid":"${kid}"}`;
    expect(await refusal(await signRaw(dup, `{${members()}}`))).to.match(/ambiguous/);
  });

  it('accepts the same name in different objects, inside arrays and as a string value', async () => {
    const extra =
      ',"act":{"sub":"x","act":{"sub":"y"}},"list":[{"a":1},{"a":2}],"note":"sub","q":"\\"sub\\":1"';
    const claims = await verifier().verify(await signRaw(header(), `{${members(extra)}}`));
    expect(claims.sub).to.equal('alice');
  });

  it('refuses an iat an hour in the future, accepts one within the clock tolerance', async () => {
    expect(await refusal(await signRaw(header(), `{${members('', now() + 3600)}}`))).to.equal(
      'the access token is not valid yet',
    );
    const claims = await verifier().verify(await signRaw(header(), `{${members('', now() + 2)}}`));
    expect(claims.sub).to.equal('alice');
  });
});
