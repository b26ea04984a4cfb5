import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createAccessTokenVerifier } from '../../../src/auth/access-token-verifier.ts';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * A JWKS endpoint answering 50 MB (a valid key set padded with junk, streamed without a length):
 * the verifier stops reading just past its cap and refuses with a 503, instead of buffering it.
 */
describe('access-token verifier: a huge JWKS answer', function () {
  this.timeout(30_000);
  const issuer = 'https://issuer.example';
  const audience = 'https://vectors.example';
  const HUGE = 50 * 1024 * 1024;
  let server: Server;
  let jwksUri: string;
  let token: string;
  let sent = 0;
  let cut = false;

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    token = await new SignJWT({ client_id: 'c', scope: 'vectors:read', jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('s')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => {
        cut = !res.writableFinished;
      });
      res.write(`{"keys":[${JSON.stringify(jwk)}],"pad":"`);
      const chunk = Buffer.alloc(1024 * 1024, 120);
      let left = HUGE;
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          left -= chunk.length;
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('"}');
      };
      pump();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('refuses with 503 having read no more than the cap plus one chunk', async () => {
    let bytesRead: number | undefined;
    const verifier = createAccessTokenVerifier({
      issuer,
      audience,
      jwksUri,
      jwksMaxBytes: 256 * 1024,
      jwksTimeoutMs: 60_000, // only the size cap may stop it here, however busy the machine
      onJwksFetched: (bytes) => {
        bytesRead = bytes;
      },
    });
    let error: unknown;
    try {
      await verifier.verify(token);
    } catch (err) {
      error = err;
    }
    expect(error, 'the token must not verify against a 50 MB key set').to.be.instanceOf(
      ServiceUnavailableError,
    );
    expect(bytesRead).to.be.a('number');
    expect(bytesRead).to.be.greaterThan(256 * 1024);
    expect(bytesRead).to.be.at.most(256 * 1024 + 1024 * 1024);
    await waitFor('the connection to be closed before the answer finished', () => cut);
    expect(sent).to.be.below(HUGE);
  });
});
