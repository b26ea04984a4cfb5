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
}

/** Serves `app` with request, header and keep-alive limits; `close` ends open connections too. */
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
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
