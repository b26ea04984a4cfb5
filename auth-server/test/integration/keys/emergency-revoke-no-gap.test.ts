import type { RunningVectorApi } from '@vectorauth/vector-api';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { startVectorApiFor } from '../../support/in-process-vector-api.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import { eventually, listKeys, tokenOf, useResetKeys } from './key-helpers.ts';

type Client = { client_id: string; client_secret: string };

/**
 * `keys revoke` of the current key with no staged key generates a replacement that no resource
 * server has seen. The vector API fetched the JWKS a moment ago (its refetch cooldown is running),
 * yet the replacement's first token must be served: the key-set notice names the new kid.
 */
describe('signing keys: emergency revoke without a gap at the vector API', function () {
  this.timeout(60_000);
  const stack = useAuthStack();
  let api: RunningVectorApi;
  let redis: Redis;
  let client: Client;

  before(async () => {
    redis = new Redis(testEnv().redisUrl, { lazyConnect: true });
    await redis.connect();
    const before = await subscribers();
    api = await startVectorApiFor(stack.server);
    stack.onClose(() => api.close());
    // The vector API listens for key-set notices once its subscription is in place.
    await eventually(
      'the vector API subscribed to key-set notices',
      async () => (await subscribers()) > before,
    );
    client = await stack.server.createClient({
      client_name: 'emergency-revoke',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
  });
  useResetKeys(stack);
  after(() => redis?.disconnect());

  const subscribers = async () => {
    const [, count] = (await redis.pubsub('NUMSUB', 'vectorauth:signing-keys')) as [string, number];
    return Number(count);
  };
  const list = (token: string) =>
    fetch(`${api.url}/v1/collections`, { headers: { authorization: `Bearer ${token}` } });

  it("serves the replacement key's first token at once, refuses the revoked key's tokens", async () => {
    const old = await tokenOf(stack.server, client);
    // First use: the vector API fetches the JWKS now, so its refetch cooldown runs from here.
    expect((await list(old.token)).status).to.equal(200);
    expect((await listKeys(stack.server)).some((k) => k.status === 'next')).to.equal(false);

    const revoked = await stack.server.admin('POST', `/admin/keys/${old.kid}/revoke`, {});
    expect(revoked.status).to.equal(200);
    const fresh = await tokenOf(stack.server, client);
    expect(fresh.kid).to.not.equal(old.kid);

    const first = await list(fresh.token);
    expect(first.status, await first.clone().text()).to.equal(200);
    expect((await list(old.token)).status).to.equal(401);
  });
});
