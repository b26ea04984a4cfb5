import { expect } from 'chai';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * oidc-provider copies a registration body with Object.assign, so a `__proto__` member becomes the
 * copy's prototype instead of a field: our policy must still see it and refuse it as unknown.
 */
describe('attack suite: registration metadata hidden under prototype keys', function () {
  this.timeout(60_000);
  const stack = useAuthStack();
  let iat: string;

  before(async () => {
    iat = await stack.server.initialAccessToken();
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`RFC 7591 refuses a "${key}" member with invalid_client_metadata (never silently dropped)`, async () => {
      const res = await fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
        body: `{"client_name":"m2m","grant_types":["client_credentials"],"scope":"vectors:read","${key}":{"jwks_uri":"http://169.254.169.254/","scope":"admin"}}`,
      });
      const text = await res.text();
      expect(res.status, text).to.equal(400);
      expect(text).to.contain('invalid_client_metadata').and.contain(key);
    });
  }
});
