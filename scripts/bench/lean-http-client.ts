import { connect, type Socket } from 'node:net';

export interface LeanHttpClient {
  /** Sends one request on the kept-alive connection and resolves with its status once the whole answer is in. */
  send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number>;
  close(): void;
}

/**
 * One kept-alive HTTP/1.1 connection with nothing between the socket and the measurement: the
 * request is written as bytes and the answer read up to its Content-Length, one at a time. It
 * measures what the server takes to answer, as wrk or h2load would; the node:http client the other
 * scenarios use adds ~0.5 ms of its own per request on this machine. Answers must carry a
 * Content-Length (every answer of ours does); loopback only.
 */
export async function createLeanHttpClient(baseUrl: string): Promise<LeanHttpClient> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1')
    throw new Error(`refusing to send load to ${url.hostname}: loopback only`);
  const socket: Socket = connect(Number(url.port), '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined;
  const fail = (err: Error) => {
    const w = waiting;
    waiting = undefined;
    w?.reject(err);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the server closed the connection')));
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) return fail(new Error(`an answer without Content-Length: ${head}`));
    const end = headEnd + 4 + Number(length);
    if (buffered.length < end) return;
    buffered = buffered.subarray(end);
    const w = waiting;
    waiting = undefined;
    w?.resolve(Number(head.slice(9, 12)));
  });
  return {
    send(method, path, headers, body) {
      if (waiting) return Promise.reject(new Error('one request at a time'));
      let request = `${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n`;
      for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
      if (body !== undefined) request += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
      request += `\r\n${body ?? ''}`;
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(request);
      });
    },
    close: () => socket.destroy(),
  };
}
