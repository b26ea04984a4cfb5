import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackServer {
  url: string;
  /** Resolves with the full URL of the next request the browser makes to the callback. */
  next(): Promise<URL>;
  close(): Promise<void>;
}

/** A relying party's redirect_uri on 127.0.0.1: records where the browser was sent back. */
export async function startCallbackServer(): Promise<CallbackServer> {
  const waiting: ((u: URL) => void)[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Back at the app</title><h1>Back at the app</h1>');
    waiting.shift()?.(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cb`,
    next: () => new Promise<URL>((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
