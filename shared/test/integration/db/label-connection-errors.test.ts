import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import pg from 'pg';
import { isDatabaseUnavailable } from '../../../src/db/database-unavailable.ts';
import { DB_CONNECTION_LOST, labelConnectionErrors } from '../../../src/db/label-connection-errors.ts';

/**
 * pg's own verdicts on the link carry no code; the label gives them one where they leave pg.
 * A server that accepts connections and then says nothing, or hangs up, stands in for a
 * Postgres that stalls or dies (real sockets, real pg).
 */
describe('labelConnectionErrors', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  let behaviour: 'silent' | 'hang-up' = 'silent';

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (behaviour === 'hang-up') socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const pool = () => {
    const p = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'x',
      password: 'y',
      connectionTimeoutMillis: 300,
    });
    p.on('error', () => undefined);
    labelConnectionErrors(p as never);
    return p;
  };

  it('labels a connect timeout (a server that never answers)', async () => {
    behaviour = 'silent';
    const p = pool();
    const err = await p.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await p.end();
    expect(err).to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.equal(DB_CONNECTION_LOST);
    expect(isDatabaseUnavailable(err)).to.equal(true);
  });

  it('labels a connection the server drops', async () => {
    behaviour = 'hang-up';
    const p = pool();
    const err = await p.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await p.end();
    expect((err as { code?: string }).code).to.equal(DB_CONNECTION_LOST);
    expect(isDatabaseUnavailable(err)).to.equal(true);
  });
});
