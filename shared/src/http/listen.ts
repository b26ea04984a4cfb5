import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { ListenError } from '../errors/errors.ts';

export interface Listening {
  server: Server;
  /** `http://host:port` with the real port (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** The whole request (headers and body) must arrive within this (slow bodies). */
  requestTimeoutMs?: number;
  /** The headers must arrive within this (slowloris). */
  headersTimeoutMs?: number;
  /** `close()` lets requests in flight finish this long, then cuts what is left. */
  drainTimeoutMs?: number;
  /** The variables that set `host` and `port` (`AUTH_HOST`, `AUTH_PORT`): a failure says which to change. */
  variables?: ListenVariables;
}

export interface ListenVariables {
  host?: string;
  port: string;
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
  options: ListenOptions = {},
): Promise<Listening> {
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      connectionsCheckingInterval: 1_000,
    },
    app.callback(),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(listenError(err, host, port, options.variables)),
    );
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
      closing ??= drain(server, options.drainTimeoutMs ?? 8_000);
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

/**
 * A failure to listen as one sentence for an operator (a `ListenError`): the address, what is
 * wrong, and which variable to change; an error of another kind unchanged.
 */
export function listenError(
  err: NodeJS.ErrnoException,
  host: string,
  port: number,
  variables?: ListenVariables,
): Error {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const portVar = variables?.port;
  const hostVar = variables?.host;
  const sentence = (code: string, message: string) => new ListenError(code, message, { cause: err });
  switch (err.code) {
    case 'EADDRINUSE':
      return sentence(
        err.code,
        `${address} is already in use (${portVar ? `set ${portVar} to a free port, or stop what listens there` : 'stop what listens there, or choose another port'})`,
      );
    case 'EACCES':
      return sentence(
        err.code,
        `not allowed to listen on ${address} (ports below 1024 need privileges${portVar ? `; set ${portVar} to 1024 or above` : ''})`,
      );
    case 'EADDRNOTAVAIL':
      return sentence(
        err.code,
        `${host} is not an address of this machine (${hostVar ? `set ${hostVar} to one of its addresses, ` : 'use one of its addresses, '}such as 127.0.0.1, or 0.0.0.0 for all)`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return sentence(
        err.code,
        `cannot resolve the host name ${host} (${hostVar ? `set ${hostVar} to` : 'use'} an IP address or a name this machine resolves)`,
      );
    default:
      return err;
  }
}
