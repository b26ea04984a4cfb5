import { connect } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { listen } from '../../../src/http/listen.ts';

describe('listen: slow clients are cut off', () => {
  it('closes a connection whose headers never finish (slowloris)', async function () {
    this.timeout(20_000);
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const server = await listen(app, '127.0.0.1', 0, { headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d.toString();
    });
    // A drip that crosses the server's close can be answered with a reset: that is a cut too.
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // Drip until the server answers (then stop, so nothing we send can reset the answer away).
    const drip = setInterval(() => !received && socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    // The server must cut the connection (a server that never does fails on the test's timeout).
    await closed;
    clearInterval(drip);
    await server.close();
    expect(received).to.match(/^HTTP\/1\.1 408/);
  });

  it('refuses oversized headers with 431', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const server = await listen(app, '127.0.0.1', 0);
    const res = await fetch(server.url, { headers: { 'x-big': 'a'.repeat(20_000) } });
    expect(res.status).to.equal(431);
    await server.close();
  });
});
