import { request } from 'node:http';

export interface SlowRequest {
  /** Resolves once the server has read the headers and started on the request (it answered 100 Continue). */
  started: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  /** The answer (rejects when the connection is cut before one). */
  response: Promise<{ status: number; body: string }>;
}

/**
 * A request in flight on the server for as long as the test wants: headers with
 * `Expect: 100-continue`, half the body once the server has taken the request, the rest on
 * `finish()`. What a slow upload looks like to a server being stopped.
 */
export function slowRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body: string },
): SlowRequest {
  const body = Buffer.from(init.body);
  const half = Math.floor(body.length / 2);
  const req = request(url, {
    method: init.method,
    headers: { ...init.headers, 'content-length': String(body.length), expect: '100-continue' },
  });
  const started = new Promise<void>((resolve) => {
    req.once('continue', () => {
      req.write(body.subarray(0, half));
      resolve();
    });
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once('error', reject);
    });
  });
  req.flushHeaders();
  return { started, finish: () => req.end(body.subarray(half)), response };
}
