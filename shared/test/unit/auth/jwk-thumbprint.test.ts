import { expect } from 'chai';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { jwkThumbprint } from '../../../src/auth/dpop-proof.ts';

describe('jwkThumbprint (RFC 7638, what cnf.jkt holds)', () => {
  for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256']) {
    it(`equals jose's thumbprint for a ${alg} key, whatever other members it carries`, async () => {
      const { publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(publicKey);
      const expected = await calculateJwkThumbprint(jwk, 'sha256');
      expect(jwkThumbprint(jwk)).to.equal(expected);
      const padded = { ...jwk, kid: 'k', use: 'sig', note: 'x'.repeat(100) } as typeof jwk;
      expect(jwkThumbprint(padded)).to.equal(expected);
    });
  }

  it('has none for a symmetric key, an unknown type or a key missing a member', () => {
    expect(jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).to.equal(undefined);
    expect(jwkThumbprint({ kty: 'XYZ', x: 'a' })).to.equal(undefined);
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a' })).to.equal(undefined);
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a', y: 5 as unknown as string })).to.equal(undefined);
  });
});
