import { expect } from 'chai';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * The body check (safe-raw-body.ts) must see exactly what oidc-provider parses: a body it cannot
 * read as oidc-provider would must never reach oidc-provider unchecked.
 */
describe('attack suite: bodies replayed to oidc-provider are checked as oidc-provider reads them', function () {
  this.timeout(60_000);
  const stack = useAuthStack();
  let iat: string;

  before(async () => {
    iat = await stack.server.initialAccessToken();
  });

  const nulMetadata =
    '{"client_name":"a\\u0000b","grant_types":["client_credentials"],"scope":"vectors:read"}';

  it('refuses a NUL in a JSON body that starts with a byte order mark (charset=utf-8 strips it)', async () => {
    const res = await fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(nulMetadata)]),
    });
    const text = await res.text();
    expect(res.status, text).to.equal(400);
    expect(text).to.contain('invalid_request');
    // Refused by the check itself (which reads past the mark), not left to oidc-provider's parser.
    expect(text).to.contain('The request was refused');
  });

  it('refuses a NUL in a JSON body sent as application/json without a charset', async () => {
    const res = await fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
      body: nulMetadata,
    });
    expect(res.status, await res.text()).to.equal(400);
  });

  it('answers an empty form body and an empty JSON body without hanging', async () => {
    for (const [path, type] of [
      ['/token', 'application/x-www-form-urlencoded'],
      ['/reg', 'application/json'],
    ] as const) {
      const res = await fetch(`${stack.server.issuer}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': type },
        body: '',
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status, path).to.equal(400);
    }
  });
});
