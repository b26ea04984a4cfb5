import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { decodeProtectedHeader, type JWK } from 'jose';
import { BrowserSession } from '../../support/browser-session.ts';
import {
  authorizationRequest,
  consent,
  newPkce,
  redeem,
  signIn,
  signUpVerified,
} from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('attack suite: forged and misused tokens at the vector API', function () {
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, vectorApi: true });
  let genuine: string;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  let attacker: { privateKey: KeyObject; jwk: JWK };
  let bait: Server;
  let baitHits = 0;

  before(async () => {
    const client = await stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    genuine = (
      (await (await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' })).json()) as {
        access_token: string;
      }
    ).access_token;
    header = decodeProtectedHeader(genuine) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString());
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    attacker = { privateKey: pair.privateKey, jwk: pair.publicKey.export({ format: 'jwk' }) as JWK };
    // A key server an attacker controls: the API must never ask it anything.
    bait = createServer((_req, res) => {
      baitHits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...attacker.jwk, kid: header.kid, alg: 'ES256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => bait?.close(resolve));
  });

  const call = async (token: string, init: { query?: boolean } = {}) => {
    const url = `${stack.api.url}/v1/collections${init.query ? `?access_token=${encodeURIComponent(token)}` : ''}`;
    const res = await fetch(url, { headers: init.query ? {} : { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res;
  };
  const expectRefused = async (token: string, what: string) => {
    const res = await call(token);
    expect(res.status, what).to.equal(401);
    expect(res.headers.get('www-authenticate'), what).to.match(/^Bearer /);
  };
  /** Signs like a JOSE library would, but with any header at all (libraries refuse unknown crit). */
  const signAsAttacker = async (h: Record<string, unknown>, c: Record<string, unknown> = claims) => {
    const input = `${b64({ alg: 'ES256', ...h })}.${b64(c)}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: attacker.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  };
  const baitUrl = () => `http://127.0.0.1:${(bait.address() as AddressInfo).port}/jwks`;

  it('accepts the genuine token (the baseline every attack departs from)', async () => {
    expect((await call(genuine)).status).to.equal(200);
  });

  it('refuses alg "none", with or without a signature', async () => {
    const body = `${b64({ ...header, alg: 'none' })}.${b64(claims)}`;
    await expectRefused(`${body}.`, 'none, empty signature');
    await expectRefused(`${body}.${genuine.split('.')[2]}`, 'none, copied signature');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const { keys } = (await (await fetch(`${stack.server.issuer}/jwks`)).json()) as { keys: JWK[] };
    const publicJwk = JSON.stringify(keys[0]);
    const input = `${b64({ ...header, alg: 'HS256' })}.${b64(claims)}`;
    for (const secret of [publicJwk, String(keys[0]!.x), Buffer.from(publicJwk).toString('base64')]) {
      await expectRefused(
        `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`,
        'HS256 with the public key',
      );
    }
  });

  it('refuses stripped, altered and transplanted signatures', async () => {
    const [h, p, s] = genuine.split('.') as [string, string, string];
    await expectRefused(`${h}.${p}.`, 'stripped');
    await expectRefused(`${h}.${p}`, 'two segments');
    // One character of the signature changed (the first: all six of its bits count, unlike the last
    // one's), so the bytes always differ; changing the last two could give the genuine token back.
    const altered = `${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    expect(Buffer.from(altered, 'base64url').equals(Buffer.from(s, 'base64url'))).to.equal(false);
    await expectRefused(`${h}.${p}.${altered}`, 'altered signature');
    await expectRefused(
      `${h}.${b64({ ...claims, scope: 'vectors:read vectors:write vectors:delete admin' })}.${s}`,
      'altered payload',
    );
    await expectRefused(`${h}.${b64({ ...claims, sub: 'someone-else' })}.${s}`, 'changed subject');
  });

  it('never uses keys from jwk, jku, x5u or x5c headers', async () => {
    await expectRefused(
      await signAsAttacker({ kid: header.kid, typ: 'at+jwt', jwk: attacker.jwk }),
      'embedded jwk',
    );
    await expectRefused(await signAsAttacker({ kid: header.kid, typ: 'at+jwt', jku: baitUrl() }), 'jku');
    await expectRefused(await signAsAttacker({ kid: header.kid, typ: 'at+jwt', x5u: baitUrl() }), 'x5u');
    await expectRefused(await signAsAttacker({ kid: header.kid, typ: 'at+jwt', x5c: ['MIIBfake'] }), 'x5c');
    await expectRefused(
      await signAsAttacker({ kid: 'attacker-key', typ: 'at+jwt', jku: baitUrl() }),
      'unknown kid with jku',
    );
    expect(baitHits, 'the attacker’s key server was never contacted').to.equal(0);
  });

  it('refuses hostile kid values without an error', async () => {
    for (const kid of [
      '../../../../etc/passwd',
      "' OR '1'='1",
      'x'.repeat(5000),
      '\u0000',
      '{"$ne":null}',
      'http://127.0.0.1:1/',
    ]) {
      await expectRefused(await signAsAttacker({ kid, typ: 'at+jwt' }), `kid ${kid.slice(0, 20)}`);
    }
  });

  it('refuses unknown crit header parameters', async () => {
    await expectRefused(
      await signAsAttacker({ kid: header.kid, typ: 'at+jwt', crit: ['exp-policy'], 'exp-policy': 1 }),
      'crit',
    );
  });

  it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer and wrong-typ tokens (signed by a key the API does not trust)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const variants: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['expired', { typ: 'at+jwt' }, { ...claims, exp: now - 3600, iat: now - 7200 }],
      ['not yet valid', { typ: 'at+jwt' }, { ...claims, nbf: now + 3600 }],
      ['wrong aud', { typ: 'at+jwt' }, { ...claims, aud: 'https://other.example' }],
      ['wrong iss', { typ: 'at+jwt' }, { ...claims, iss: 'https://evil.example' }],
      ['typ JWT', { typ: 'JWT' }, claims],
      ['no typ', {}, claims],
    ];
    for (const [what, h, c] of variants)
      await expectRefused(await signAsAttacker({ kid: header.kid, ...h }, c), what);
  });

  it('refuses an ID token used as an access token', async () => {
    const app = await stack.server.createClient({
      client_name: 'web',
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code'],
      scope: 'openid vectors:read',
    });
    const browser = new BrowserSession(stack.server.issuer);
    const email = `idt-${randomUUID()}@example.com`;
    await signUpVerified(browser, stack.sink, email, 'id token passphrase');
    const pkce = newPkce();
    const login = await browser.get(
      authorizationRequest({ client_id: app.client_id, redirectUri: 'https://app.example/cb' }, {}, pkce),
    );
    const back = await consent(browser, await signIn(browser, login, email, 'id token passphrase'), 'allow');
    const tokens = (await (
      await redeem(stack.server, app, {
        grant_type: 'authorization_code',
        code: back.leftTo!.searchParams.get('code')!,
        redirect_uri: 'https://app.example/cb',
        code_verifier: pkce.verifier,
      })
    ).json()) as { id_token: string; access_token: string };
    expect((await call(tokens.access_token)).status).to.equal(200);
    await expectRefused(tokens.id_token, 'ID token');
  });

  it('refuses JWE, huge, malformed and query-string tokens without a 5xx', async () => {
    await expectRefused(
      `${b64({ alg: 'dir', enc: 'A256GCM' })}..${b64('iv')}.${b64('ct')}.${b64('tag')}`,
      'JWE',
    );
    await expectRefused(`${genuine.split('.')[0]}.${b64({ ...claims, pad: 'x'.repeat(9000) })}.sig`, 'huge');
    for (const junk of ['a', '...', '....', 'Bearer', 'e30.e30.e30', '%00', '\u00e9\u00e9.\u00e9.\u00e9']) {
      const res = await fetch(`${stack.api.url}/v1/collections`, {
        headers: { authorization: `Bearer ${encodeURIComponent(junk)}` },
      });
      expect(res.status, junk).to.equal(401);
    }
    const huge = await fetch(`${stack.api.url}/v1/collections`, {
      headers: { authorization: `Bearer ${'a'.repeat(20_000)}` },
    });
    expect(huge.status).to.be.oneOf([401, 431]);
    expect((await call(genuine, { query: true })).status, 'tokens in the URL are not accepted').to.equal(401);
    for (const value of ['Basic dXNlcjpwYXNz', `Bearer  ${genuine}`, `Token ${genuine}`, genuine]) {
      const res = await fetch(`${stack.api.url}/v1/collections`, { headers: { authorization: value } });
      expect(res.status, value.slice(0, 12)).to.equal(401);
    }
  });
});
