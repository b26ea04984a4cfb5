import { once } from 'node:events';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { type ServiceProcess, spawnNode, waitUntilReady } from '../../../../scripts/lib/service-process.ts';
import { slowRequest } from '../../../../shared/test/support/slow-request.ts';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { spawnedEnv } from '../../support/spawned-env.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');

describe('auth-server process: SIGTERM drains requests in flight, then exits 0', function () {
  this.timeout(60_000);
  let auth: ServiceProcess;
  let issuer: string;

  before(async () => {
    const [authPort, adminPort] = [await freePort(), await freePort()];
    issuer = `http://localhost:${authPort}`;
    auth = spawnNode(
      'auth-server',
      resolve(ROOT, 'auth-server/src/main.ts'),
      spawnedEnv({ LOG_LEVEL: 'warn', AUTH_PORT: String(authPort), ADMIN_PORT: String(adminPort) }),
      true,
    );
    await waitUntilReady(`${issuer}/readyz`, auth);
  });
  after(() => auth?.stop());

  it('answers a token request still uploading when the signal came, refuses new ones, exits 0', async () => {
    const exited = once(auth.child, 'exit');
    const token = slowRequest(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('no-such-client:secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=vectors%3Aread',
    });
    await token.started;
    auth.child.kill('SIGTERM');
    await waitFor('new connections refused during the drain', () =>
      fetch(`${issuer}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    auth.child.kill('SIGTERM'); // a second signal (npm's, the group's) never cuts the drain short
    // A slow client: longer than the 2 s after which in-flight requests used to be cut.
    await sleep(2_500);
    token.finish();
    const answer = await token.response;
    expect(answer.status, answer.body).to.equal(401);
    expect(JSON.parse(answer.body)).to.include({ error: 'invalid_client' });
    const [code, signal] = await exited;
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
  });
});
