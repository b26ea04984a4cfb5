import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundFetchError } from '@vectorauth/shared';
import { expect } from 'chai';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { createGitHubUpstream } from '../../../src/federation/github-upstream.ts';
import { createOidcUpstream } from '../../../src/federation/oidc-upstream.ts';
import { UpstreamError } from '../../../src/federation/upstream-provider.ts';

const HUGE = 50 * 1024 * 1024;

/**
 * An upstream identity provider answering 50 MB (valid JSON, padded): our requests to it stop
 * reading at the cap and the sign-in fails with an UpstreamError, instead of buffering it all.
 */
describe('federation: requests to upstream providers are size-capped', function () {
  this.timeout(30_000);
  let server: Server;
  let origin: string;
  let cut = 0;
  let routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};

  /** Streams `{...prefix, "pad": "xxxx…"}` of about 50 MB, stopping when the client goes away. */
  const huge = (prefix: Record<string, unknown>) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', () => {
      if (!res.writableFinished) cut++;
    });
    res.write(`${JSON.stringify(prefix).slice(0, -1)},"pad":"`);
    const chunk = Buffer.alloc(1024 * 1024, 120);
    let left = HUGE;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        left -= chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
  };

  before(async () => {
    server = createServer((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  const tooLarge = (err: unknown): boolean => {
    for (let e = err; e instanceof Error; e = e.cause) {
      if (e instanceof OutboundFetchError) return e.code === 'ERR_OUTBOUND_TOO_LARGE';
    }
    return false;
  };
  const waitForCut = async (n: number) => {
    await waitFor('the upstream to see the connection closed early', () => cut >= n);
  };

  it('OpenID Connect discovery answering 50 MB: refused, the connection cut', async () => {
    routes = {
      '/.well-known/openid-configuration': huge({
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        jwks_uri: `${origin}/jwks`,
      }),
    };
    const before = cut;
    const upstream = createOidcUpstream({
      id: 'google',
      label: 'Google',
      issuer: origin,
      clientId: 'c',
      clientSecret: 's',
    });
    let error: unknown;
    try {
      await upstream.start('http://127.0.0.1/callback');
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(UpstreamError);
    expect(tooLarge(error), String(error)).to.equal(true);
    await waitForCut(before + 1);
  });

  it("GitHub's API answering 50 MB after a good token exchange: refused, the connection cut", async () => {
    routes = {
      '/token': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'gho_test', token_type: 'bearer', scope: 'read:user' }));
      },
      '/api/user': huge({ id: 42 }),
    };
    const before = cut;
    const upstream = createGitHubUpstream({
      clientId: 'c',
      clientSecret: 's',
      authorizeUrl: `${origin}/authorize`,
      tokenUrl: `${origin}/token`,
      apiUrl: `${origin}/api`,
    });
    const { checks } = await upstream.start('http://127.0.0.1/callback');
    let error: unknown;
    try {
      await upstream.finish(new URL(`http://127.0.0.1/callback?code=abc&state=${checks.state}`), checks);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(UpstreamError);
    expect(tooLarge(error), String(error)).to.equal(true);
    await waitForCut(before + 1);
  });
});
