import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Listening ports are picked below Linux's ephemeral range (32768-60999 by default): a port the
 * kernel handed out for "any port" is free only until the next outbound connection takes it as a
 * source port, and a caller binds it some time after this check (seen: a test's child process
 * found its port taken while a second test suite ran beside it). Random, so that two callers
 * rarely pick the same one.
 */
const LOW = 20_000;
const HIGH = 32_000;
const ATTEMPTS = 50;

/** `preferred` when it is free on 127.0.0.1, otherwise a free port below the ephemeral range. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : port;
        server.close(() => resolve(actual));
      });
    });
  if (preferred !== 0) {
    try {
      return await tryPort(preferred);
    } catch {
      // taken: any other
    }
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await tryPort(randomInt(LOW, HIGH));
    } catch {
      // taken: another
    }
  }
  return tryPort(0);
}
