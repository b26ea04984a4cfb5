import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface TokenOptions {
  sub?: string;
  scope?: string;
  aud?: string;
  iss?: string;
  typ?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Sign with a key the JWKS does not publish, under the published kid. */
  foreignKey?: boolean;
  clientId?: string;
  /** A confirmation claim as given (RFC 9449 `{jkt}` binds the token to a DPoP key). */
  cnf?: unknown;
  omit?: string[];
}

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  audience: string;
  sign(options?: TokenOptions): Promise<string>;
  /** An unsigned token (`alg: none`) with otherwise valid claims. */
  unsigned(options?: TokenOptions): string;
  /** The published key's kid. */
  kid: string;
  /** Signs exactly these JSON texts (header and payload written by hand) with the published key. */
  signRaw(header: string, payload: string): Promise<string>;
  close(): Promise<void>;
}

/** An ES256 issuer for tests: serves its JWKS over real HTTP and mints RFC 9068 access tokens. */
export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const claims = (o: TokenOptions) => {
    const now = Math.floor(Date.now() / 1000);
    const all: Record<string, unknown> = {
      iss: o.iss ?? issuer,
      aud: o.aud ?? audience,
      sub: o.sub ?? `user-${randomUUID()}`,
      client_id: o.clientId ?? 'test-client',
      scope: o.scope ?? 'vectors:read vectors:write vectors:delete',
      jti: randomUUID(),
      iat: now,
      exp: now + (o.expiresIn ?? 300),
      ...(o.cnf === undefined ? {} : { cnf: o.cnf }),
    };
    for (const k of o.omit ?? []) delete all[k];
    return all;
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    audience,
    async sign(o = {}) {
      return new SignJWT(claims(o))
        .setProtectedHeader({ alg: 'ES256', typ: o.typ ?? 'at+jwt', kid })
        .sign(o.foreignKey ? foreign.privateKey : privateKey);
    },
    kid,
    async signRaw(header, payload) {
      const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
      const sig = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        privateKey,
        Buffer.from(input),
      );
      return `${input}.${Buffer.from(sig).toString('base64url')}`;
    },
    unsigned(o = {}) {
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${enc({ alg: 'none', typ: o.typ ?? 'at+jwt', kid })}.${enc(claims(o))}.`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
