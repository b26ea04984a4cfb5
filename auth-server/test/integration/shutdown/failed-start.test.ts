import { createServer, type Server } from 'node:net';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { startTestAuthServer } from '../../support/test-auth-server.ts';

const listenOn = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('a start that fails half-way closes what it started', () => {
  it('a busy admin port: the start fails and the public port it had opened is free again', async () => {
    const publicPort = await freePort();
    const adminPort = await freePort();
    const squatter = await listenOn(adminPort);
    try {
      let failure: unknown;
      await startTestAuthServer({ AUTH_PORT: String(publicPort), ADMIN_PORT: String(adminPort) }).catch(
        (err: unknown) => {
          failure = err;
        },
      );
      expect(failure, 'the start failed').to.be.instanceOf(Error);
      const again = await listenOn(publicPort);
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
