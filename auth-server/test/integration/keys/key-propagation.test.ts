import { expect } from 'chai';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import {
  eventually,
  type KeyInfo,
  listKeys,
  publishedKids,
  publishedLongAgo,
  resetKeys,
  sql,
  tokenOf,
  useResetKeys,
} from './key-helpers.ts';

type Client = { client_id: string; client_secret: string };

describe('signing keys: every instance follows a change without a restart', () => {
  // A periodic reconcile once an hour: only the Redis notice can explain a change seen within seconds.
  const slow = { KEY_SYNC_INTERVAL_SEC: '3600', KEY_PUBLISH_WAIT_SEC: '3700' };
  const first = useAuthStack({ env: slow });
  const second = useAuthStack({ env: slow });
  let client: Client;

  before(async () => {
    client = await first.server.createClient({
      client_name: 'key-propagation',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
  });
  useResetKeys(first);

  it('publishes a staged key at the other instance, then signs with it there after promotion', async () => {
    const staged = (await (await first.server.admin('POST', '/admin/keys/rotate', {})).json()) as {
      key: KeyInfo;
    };
    const kid = staged.key.kid;
    await eventually('the other instance publishes the next key', async () =>
      (await publishedKids(second.server.issuer)).includes(kid),
    );
    expect((await tokenOf(second.server, client)).kid).to.not.equal(kid);

    await publishedLongAgo(kid);
    // Token requests in flight at both instances while the key set changes under them.
    const traffic = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? first.server : second.server).clientCredentialsToken(client),
    );
    const promoted = await first.server.admin('POST', `/admin/keys/${kid}/promote`, {});
    const statuses = await Promise.all(traffic.map(async (res) => (await res).status));
    expect(promoted.status).to.equal(200);
    expect(statuses.every((s) => s === 200)).to.equal(true);

    await eventually(
      'the other instance signs with the promoted key',
      async () => (await tokenOf(second.server, client)).kid === kid,
    );
    expect((await tokenOf(first.server, client)).kid).to.equal(kid);
  });

  it('stops publishing a revoked key at the other instance', async () => {
    const retired = (await listKeys(first.server)).find((k) => k.status === 'retired')!;
    expect(await publishedKids(second.server.issuer)).to.include(retired.kid);
    expect((await first.server.admin('POST', `/admin/keys/${retired.kid}/revoke`, {})).status).to.equal(200);
    await eventually(
      'the other instance unpublishes the revoked key',
      async () => !(await publishedKids(second.server.issuer)).includes(retired.kid),
    );
  });
});

describe('signing keys: scheduled rotation (KEY_ROTATION_DAYS) on two instances', () => {
  const scheduled = { KEY_ROTATION_DAYS: '1', KEY_SYNC_INTERVAL_SEC: '1' };
  const first = useAuthStack({ env: scheduled });
  const second = useAuthStack({ env: scheduled });
  let servers: TestAuthServer[] = [];

  before(async () => {
    servers = [first.server, second.server];
    await resetKeys(first.server);
  });
  after(async () => {
    const cleanup = await startTestAuthServer();
    await resetKeys(cleanup);
    await cleanup.close();
  });

  it('stages a next key at half the period and promotes it (once) at the full period', async () => {
    const server = servers[0]!;
    const current = (await listKeys(server)).find((k) => k.status === 'current')!;
    await sql("update signing_key set activated_at = now() - interval '13 hours' where kid = $1", [
      current.kid,
    ]);
    const next = await eventually('a next key is staged', async () =>
      (await listKeys(server)).find((k) => k.status === 'next'),
    );
    expect((await listKeys(server)).filter((k) => k.status === 'next')).to.have.length(1);

    await publishedLongAgo(next.kid);
    await sql("update signing_key set activated_at = now() - interval '25 hours' where kid = $1", [
      current.kid,
    ]);
    await eventually('the next key is promoted', async () =>
      (await listKeys(server)).some((k) => k.kid === next.kid && k.status === 'current'),
    );
    const keys = await listKeys(server);
    expect(keys.filter((k) => k.status === 'current').map((k) => k.kid)).to.deep.equal([next.kid]);
    expect(keys.find((k) => k.kid === current.kid)?.status).to.equal('retired');
    expect(keys.filter((k) => k.status === 'next')).to.have.length(0);
    for (const s of servers) {
      await eventually('each instance publishes the promoted key', async () =>
        (await publishedKids(s.issuer)).includes(next.kid),
      );
    }
  });
});
