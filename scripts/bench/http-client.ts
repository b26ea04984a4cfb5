import { Agent, request } from 'node:http';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpClient {
  /** Sends one request over a kept-alive connection and reads the whole answer. */
  send(
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<HttpResponse>;
  /** Like `send`, but rejects unless the status is `expected`; returns the parsed JSON body. */
  json<T = unknown>(
    method: string,
    url: string,
    expected: number,
    options?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<T>;
  close(): void;
}

/**
 * A plain node:http client with one keep-alive agent: lighter per request than fetch, which
 * matters when the load generator shares two cores with the servers it measures. Loopback only.
 */
export function createHttpClient(maxSockets: number): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

  const send: HttpClient['send'] = (method, url, options = {}) => {
    const target = new URL(url);
    if (target.hostname !== '127.0.0.1') {
      return Promise.reject(new Error(`refusing to send load to ${target.hostname}: loopback only`));
    }
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...options.headers };
      if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
      const req = request(target, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  };

  return {
    send,
    async json(method, url, expected, options = {}) {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const res = await send(method, url, {
        headers: {
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(body === undefined ? {} : { body }),
      });
      if (res.status !== expected) {
        throw new Error(
          `${method} ${url}: expected ${expected}, got ${res.status}: ${res.body.slice(0, 300)}`,
        );
      }
      return (res.body ? JSON.parse(res.body) : undefined) as never;
    },
    close: () => agent.destroy(),
  };
}

/** The same URL with 127.0.0.1 for `localhost`, so load never leaves the loopback interface. */
export function loopback(url: string): string {
  const u = new URL(url);
  if (u.hostname === 'localhost') u.hostname = '127.0.0.1';
  return u.toString().replace(/\/$/, '');
}
