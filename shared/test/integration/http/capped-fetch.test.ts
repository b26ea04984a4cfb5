import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { OutboundFetchError } from '../../../src/errors/errors.ts';
import { createCappedFetch } from '../../../src/http/capped-fetch.ts';
import { freePort } from '../../../src/http/free-port.ts';
import { waitFor } from '../../support/wait-for.ts';

/** A real HTTP server whose handler the test sets; remembers whether each answer was cut short. */
describe('capped fetch: every outbound answer is size- and time-capped', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  before(async () => {
    server = createServer((req, res) => handler(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('the fetch succeeded');
  };

  it('does not follow a redirect unless asked', async () => {
    let followed = false;
    handler = (req, res) => {
      if (req.url === '/elsewhere') {
        followed = true;
        res.end('{"keys":[]}');
        return;
      }
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    const res = await createCappedFetch()(url);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/elsewhere');
    expect(followed, 'the redirect target was never asked').to.equal(false);
  });

  it('returns a small answer whole, status and headers kept', async () => {
    handler = (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-test': 'yes' });
      res.end('{"ok":true}');
    };
    const res = await createCappedFetch({ maxBytes: 100 })(url);
    expect(res.status).to.equal(201);
    expect(res.headers.get('x-test')).to.equal('yes');
    expect(await res.json()).to.deep.equal({ ok: true });
  });

  it('stops reading an endless chunked answer just past the cap', async () => {
    let cut = false;
    handler = (_req, res) => {
      res.on('close', () => {
        cut = !res.writableFinished;
      });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    let read = -1;
    const err = await failure(
      createCappedFetch({ maxBytes: 100_000, timeoutMs: 60_000, onBytesRead: (n) => (read = n) })(url),
    );
    expect(err).to.be.instanceOf(OutboundFetchError);
    expect((err as OutboundFetchError).code).to.equal('ERR_OUTBOUND_TOO_LARGE');
    expect(read).to.be.greaterThan(100_000);
    expect(read).to.be.at.most(100_000 + 1024 * 1024);
    await waitFor('the server to see the connection closed before it finished', () => cut);
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    };
    let read = -1;
    const err = await failure(createCappedFetch({ maxBytes: 1000, onBytesRead: (n) => (read = n) })(url));
    expect((err as OutboundFetchError).code).to.equal('ERR_OUTBOUND_TOO_LARGE');
    expect(read).to.equal(0);
  });

  it('gives up on an answer that never completes (headers sent, body stalled)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
    };
    const err = await failure(createCappedFetch({ timeoutMs: 200 })(url));
    expect(err).to.be.instanceOf(OutboundFetchError);
    expect((err as OutboundFetchError).code).to.equal('ERR_OUTBOUND_TIMEOUT');
  });

  it("keeps the caller's own abort as it was (libraries recognise their timeout)", async () => {
    handler = () => undefined; // never answers
    const err = await failure(
      createCappedFetch({ timeoutMs: 60_000 })(url, { signal: AbortSignal.timeout(100) }),
    );
    expect(err).to.not.be.instanceOf(OutboundFetchError);
    expect((err as Error).name).to.equal('TimeoutError');
  });

  it('reports a refused connection or a broken-off answer by its own code, not a bare TypeError', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/`;
    const refused = await failure(createCappedFetch()(nobody));
    expect(refused).to.be.instanceOf(OutboundFetchError);
    expect((refused as OutboundFetchError).code).to.equal('ERR_OUTBOUND_UNREACHABLE');
    expect((refused as OutboundFetchError).cause).to.be.instanceOf(TypeError);

    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[', () => res.destroy());
    };
    const cut = await failure(createCappedFetch({ timeoutMs: 60_000 })(url));
    expect(cut).to.be.instanceOf(OutboundFetchError);
    expect((cut as OutboundFetchError).code).to.equal('ERR_OUTBOUND_UNREACHABLE');
  });
});
