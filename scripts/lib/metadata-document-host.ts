import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** An https host for client metadata documents, with its own self-signed certificate (trust `caFile`). */
export interface MetadataDocumentHost {
  /** `https://localhost:<port>` */
  origin: string;
  /** The certificate, to trust through OUTBOUND_CA_FILE. */
  caFile: string;
  /** Serves `path` with `route`; a plain object is served as JSON with `headers`. */
  serve(path: string, route: Route | object, headers?: Record<string, string>): string;
  /** How many requests reached `path`. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startMetadataDocumentHost(): Promise<MetadataDocumentHost> {
  const dir = mkdtempSync(join(tmpdir(), 'cimd-host-'));
  const [keyFile, caFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const server: Server = createServer(
    { key: readFileSync(keyFile), cert: readFileSync(caFile) },
    (req, res) => {
      const path = new URL(req.url ?? '/', 'https://localhost').pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const route = routes.get(path);
      if (route) route(req, res);
      else res.writeHead(404).end();
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    caFile,
    serve(path, route, headers = {}) {
      routes.set(
        path,
        typeof route === 'function'
          ? (route as Route)
          : (_req, res) => {
              res.writeHead(200, { 'content-type': 'application/json', ...headers });
              res.end(JSON.stringify(route));
            },
      );
      return `${origin}${path}`;
    },
    hits: (path) => counts.get(path) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
