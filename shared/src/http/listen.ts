import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface Listening {
  server: Server;
  /** `http://host:port` with the real port (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

export interface ListenLimits {
  /** The whole request (headers and body) must arrive within this (slow bodies). */
  requestTimeoutMs?: number;
  /** The headers must arrive within this (slowloris). */
  headersTimeoutMs?: number;
  /** `close()` lets requests in flight finish this long, then cuts what is left. */
  drainTimeoutMs?: number;
}

/**
 * Serves `app` with request, header and keep-alive limits. `close()` drains, as a supervisor's
 * SIGTERM expects: no new connections, idle keep-alive connections closed at once and each busy
 * one as soon as its request is answered, whatever is still running after `drainTimeoutMs` cut.
 */
export async function listen(
  app: Koa,
  host: string,
  port: number,
  limits: ListenLimits = {},
): Promise<Listening> {
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: limits.requestTimeoutMs ?? 30_000,
      headersTimeout: limits.headersTimeoutMs ?? 10_000,
      connectionsCheckingInterval: 1_000,
    },
    app.callback(),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${actual}`,
    close: () => {
      closing ??= drain(server, limits.drainTimeoutMs ?? 8_000);
      return closing;
    },
  };
}

function drain(server: Server, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // Answers sent from now on end their connection (no keep-alive after the drain began).
    server.on('request', (_req, res) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    });
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** EADDRINUSE and EACCES said as one sentence naming the address (the rest unchanged). */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE') {
    return new Error(`port ${port} on ${host} is already in use by another process`, { cause: err });
  }
  if (err.code === 'EACCES') return new Error(`not allowed to listen on ${host}:${port}`, { cause: err });
  return err;
}
