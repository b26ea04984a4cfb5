import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { startRedis } from '../../../../scripts/lib/backing-services.ts';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('revocation when Redis goes away', function () {
  // Redis is stopped on purpose; whether each client sees a refused connection depends on timing.
  expectLogLines([
    { service: 'resource-server', level: 'warn', msg: 'redis unavailable' },
    { service: 'resource-server', level: 'warn', msg: 'redis connection problem', optional: true },
    { service: 'auth-server', level: 'warn', msg: 'redis connection problem', optional: true },
  ]);
  this.timeout(60_000);
  const dataDir = resolve(testEnv().dataDir, `redis-outage-${process.pid}`);
  let port: number;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let client: { client_id: string; client_secret: string };

  before(async () => {
    port = await freePort();
    redis = await startRedis(dataDir, () => undefined, port);
  });
  const stack = useAuthStack({ env: () => ({ REDIS_URL: redis.url }), resourceServers: 2 });
  before(async () => {
    client = await stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
  });
  after(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const token = async () => {
    const res = await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('fails closed while Redis is down and recovers by itself when it is back', async () => {
    const good = await token();
    const outcomes: { at: number; done: number; status: number }[] = [];
    let running = true;
    const traffic = (async () => {
      for (let i = 0; running && i < 5000; i++) {
        const at = Date.now();
        const { status } = await stack.rs[i % 2]!.call(good);
        outcomes.push({ at, done: Date.now(), status });
        await sleep(10);
      }
    })();

    await waitFor('traffic while Redis is up', () => outcomes.length >= 5);
    const stopping = Date.now();
    await redis.stop();
    const downFrom = Date.now();
    await waitFor('traffic while Redis is down', () => outcomes.filter((o) => o.at >= downFrom).length > 5);
    const issued = await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' });
    expect(issued.status, 'no token the server could not later revoke').to.equal(503);
    expect(await issued.json()).to.include({ error: 'temporarily_unavailable' });
    const downUntil = Date.now();
    redis = await startRedis(dataDir, () => undefined, port);
    await waitFor('traffic to recover', () => outcomes.at(-1)?.status === 200, 20_000);
    running = false;
    await traffic;

    const whileDown = outcomes.filter((o) => o.at >= downFrom && o.at <= downUntil);
    expect(whileDown.length).to.be.greaterThan(5);
    expect(whileDown.filter((o) => o.status < 300)).to.deep.equal([]);
    expect(new Set(whileDown.map((o) => o.status))).to.deep.equal(new Set([503]));
    expect(outcomes.filter((o) => o.done < stopping).every((o) => o.status === 200)).to.equal(true);
    await waitFor(
      'tokens again',
      async () =>
        (await stack.server.clientCredentialsToken(client, { scope: 'vectors:read' })).status === 200,
      20_000,
    );
  });

  it('rebuilds the revocation list when Redis comes back empty', async () => {
    const revoked = await token();
    const res = await fetch(`${stack.server.issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: revoked }),
    });
    expect(res.status).to.equal(200);
    expect((await stack.rs[0]!.call(revoked)).status).to.equal(401);

    await redis.stop();
    rmSync(join(dataDir, 'redis'), { recursive: true, force: true }); // Redis lost everything
    redis = await startRedis(dataDir, () => undefined, port);
    // The auth server replays Postgres's record as soon as its connection is ready again.
    await waitFor(
      'the replayed revocation',
      async () => (await stack.rs[1]!.call(revoked)).status === 401,
      20_000,
    );
    for (const r of stack.rs) expect((await r.call(revoked)).status).to.equal(401);
    const fresh = await token();
    for (const r of stack.rs) expect((await r.call(fresh)).status).to.equal(200);
  });
});
