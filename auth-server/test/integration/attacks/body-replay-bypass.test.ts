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

  /** A body sent chunked, in `pieces`, each written on a later turn: read across several reads. */
  const inPieces = (pieces: string[]) =>
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        const piece = pieces.shift();
        if (piece === undefined) return controller.close();
        await new Promise((resolve) => setImmediate(resolve));
        controller.enqueue(new TextEncoder().encode(piece));
      },
    });

  it('hands oidc-provider a body that came in many pieces whole, and checks all of it', async () => {
    const metadata = JSON.stringify({
      client_name: 'pieces',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    // 40 KiB: more than a stream buffers at once, sent in pieces of 1000 bytes.
    const padded = `${metadata.slice(0, -1)}${' '.repeat(40 * 1024)}}`;
    const pieces = (text: string) => text.match(/[\s\S]{1,1000}/g) ?? [];
    const send = (text: string) =>
      fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
        body: inPieces(pieces(text)),
        duplex: 'half',
      } as RequestInit);
    const created = await send(padded);
    const body = (await created.json()) as { client_name?: string };
    expect(created.status, JSON.stringify(body)).to.equal(201);
    expect(body.client_name).to.equal('pieces');

    // A NUL in the last piece is refused by the check, not passed on.
    const refused = await send(`${padded.slice(0, -1)},"tos_uri":"\u0000"}`);
    const text = await refused.text();
    expect(refused.status, text).to.equal(400);
    expect(text).to.contain('The request was refused');

    // A form in pieces reaches the token endpoint whole: its client_id is read (and unknown).
    const form = await fetch(`${stack.server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: inPieces(['grant_type=client_', 'credentials&client_id=no-such', '-client&client_secret=x']),
      duplex: 'half',
    } as RequestInit);
    const answer = (await form.json()) as { error?: string };
    expect(form.status, JSON.stringify(answer)).to.equal(401);
    expect(answer.error).to.equal('invalid_client');
  });

  it('answers an empty chunked body at once, refused, never hanging', async () => {
    const res = await fetch(`${stack.server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: inPieces([]),
      duplex: 'half',
      signal: AbortSignal.timeout(10_000),
    } as RequestInit);
    expect(res.status).to.equal(400);
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
