import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface ProofOptions {
  method: string;
  url: string;
  /** Hashed into `ath`; absent for a proof to the token endpoint. */
  accessToken?: string;
  /** Seconds since the epoch (default now). */
  iat?: number;
  jti?: string;
  /** Replaces or adds protected header members (a key's `d`, another `typ`). */
  header?: Record<string, unknown>;
  /** Replaces or adds claims. */
  claims?: Record<string, unknown>;
  omit?: string[];
}

/** A client's DPoP key pair (RFC 9449), making proofs as a client would, or as an attacker tries. */
export interface DpopKey {
  jwk: JWK;
  /** RFC 7638 thumbprint: what a bound token carries in `cnf.jkt`. */
  jkt: string;
  proof(options: ProofOptions): Promise<string>;
}

export async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  return {
    jwk,
    jkt,
    async proof(o) {
      const claims: Record<string, unknown> = {
        jti: o.jti ?? randomUUID(),
        htm: o.method,
        htu: o.url,
        iat: o.iat ?? Math.floor(Date.now() / 1000),
        ...(o.accessToken ? { ath: createHash('sha256').update(o.accessToken).digest('base64url') } : {}),
        ...o.claims,
      };
      for (const k of o.omit ?? []) delete claims[k];
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...o.header })
        .sign(privateKey);
    },
  };
}
