import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { createProviderHolder } from '../../../src/oidc/provider-holder.ts';
import { buildTestProvider, testKeySet } from '../../support/test-provider.ts';

/**
 * A key rotation swaps the Provider while requests are in flight: each request is served to its
 * end by the Provider it started on (the public app takes `live()` once per request), and the
 * next one by the new Provider. Here `/jwks?hold` waits inside the Provider until released.
 */
describe('provider holder: a swap in the middle of a request', () => {
  let server: Server;
  let url: string;
  let held = 0;
  const release = Promise.withResolvers<void>();
  const holder = createProviderHolder((keySet) => {
    const provider = buildTestProvider(keySet);
    provider.use(async (ctx, next) => {
      if (ctx.query.hold !== undefined) {
        held += 1;
        await release.promise;
      }
      await next();
    });
    return provider;
  });

  before(async () => {
    holder.swap(await testKeySet('before'));
    // As the public app hands a request over: the live Provider's handler, taken at its start.
    server = createServer((req, res) => holder.live().callback(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    release.resolve();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  const kids = async (res: Response) =>
    ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('finishes a request on the Provider it started on; the next one goes to the new Provider', async () => {
    const inFlight = fetch(`${url}/jwks?hold`);
    await waitFor('the request to be inside the first Provider', () => held === 1);
    holder.swap(await testKeySet('after'));
    expect(await kids(await fetch(`${url}/jwks`)), 'a request arriving now').to.deep.equal(['after']);
    release.resolve();
    const started = await inFlight;
    expect(started.status).to.equal(200);
    expect(await kids(started), 'the request in flight').to.deep.equal(['before']);
  });
});
