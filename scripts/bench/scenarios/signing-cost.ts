import { randomUUID } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';
import type { Row } from '../table.ts';

export const SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface SigningCost {
  alg: SigningAlg;
  sign: LoadResult;
  verify: LoadResult;
  /** Length of one compact access token (header, RFC 9068 claims, signature). */
  tokenBytes: number;
}

/**
 * What each JWS algorithm costs where it is paid: signing at the auth server (once per token) and
 * verification at every resource server (once per request). Both in this process with jose and
 * node:crypto, on RFC 9068-shaped claims, so the numbers isolate the cryptography.
 *
 * From bench.ts: `const costs = await benchSigningCost(load)` then
 * `console.log(formatResults(signingCostRows(costs)))`.
 */
export async function benchSigningCost(
  load: LoadOptions,
  algs: readonly SigningAlg[] = SIGNING_ALGS,
): Promise<SigningCost[]> {
  const results: SigningCost[] = [];
  for (const alg of algs) {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const sign = () =>
      new SignJWT({
        client_id: 'bench-client',
        scope: 'vectors:read vectors:write',
        jti: randomUUID(),
        iat_ms: Date.now(),
      })
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'bench' })
        .setIssuer('https://auth.example')
        .setAudience('https://vectors.example')
        .setSubject('bench-user')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    const token = await sign();
    const verify = () =>
      jwtVerify(token, publicKey, {
        issuer: 'https://auth.example',
        audience: 'https://vectors.example',
        algorithms: [alg],
        typ: 'at+jwt',
      });
    results.push({
      alg,
      sign: await runLoad(load, sign),
      verify: await runLoad(load, verify),
      tokenBytes: token.length,
    });
  }
  return results;
}

/** Rows for `formatResults` (table.ts): one sign and one verify row per algorithm. */
export function signingCostRows(costs: SigningCost[]): Row[] {
  return costs.flatMap(({ alg, sign, verify, tokenBytes }) => [
    { name: `${alg} sign (auth server, ${tokenBytes} B token)`, result: sign },
    { name: `${alg} verify (resource server)`, result: verify },
  ]);
}
