import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeRedis, createRedis, publishPrincipalDeleted } from '@vectorauth/shared';
import { expect } from 'chai';
import pg from 'pg';
import { type RedisTopology, startRedisCluster } from '../../../scripts/lib/redis-topologies.ts';
import { withLogLines } from '../../../shared/test/support/expected-log-lines.ts';
import { silentLogger } from '../../../shared/test/support/silent-logger.ts';
import { waitFor } from '../../../shared/test/support/wait-for.ts';
import { type SpawnedCluster, startSpawnedCluster } from '../support/spawned-cluster.ts';
import { testEnv } from '../support/test-env.ts';

type Client = { client_id: string; client_secret: string };

/**
 * Two auth servers and two vector APIs whose REDIS_URL is a three-master Redis Cluster
 * (`redis+cluster://` seed nodes): tokens, the collection version protocol, revocation, the shared
 * rate limit and principal events behave as on one Redis.
 */
describe('e2e: a fleet on a Redis Cluster behaves as on one Redis', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cluster-'));
  const LIMIT = 25;
  let topology: RedisTopology;
  let fleet: SpawnedCluster;

  before(async () => {
    topology = await startRedisCluster(dir);
    fleet = await startSpawnedCluster(
      { auth: 2, vector: 2 },
      { REDIS_URL: topology.url, VECTOR_RATE_LIMIT: String(LIMIT) },
    );
  });
  after(async () => {
    await fleet?.stop();
    await topology?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const newClient = async () => {
    const res = await fleet.admin(0, 'POST', '/admin/clients', {
      client_name: 'cluster fleet',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as Client;
  };
  const tokenAt = async (i: number, client: Client) => {
    const res = await fetch(`${fleet.auth[i]?.url}/token`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read vectors:write' }),
    });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const call = async (i: number, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${fleet.vector[i]?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('serves writes across instances and revokes a token at every instance', async () => {
    const client = await newClient();
    const token = await tokenAt(0, client);
    const spare = await tokenAt(1, client);
    expect(
      (await call(0, token, 'POST', '/v1/collections', { name: 'c', dimension: 2, metric: 'l2' })).status,
    ).to.equal(201);
    expect(
      (await call(1, spare, 'PUT', '/v1/collections/c/vectors', { vectors: [{ id: 'a', vector: [0, 1] }] }))
        .status,
    ).to.equal(200);
    const found = await call(0, token, 'POST', '/v1/collections/c/search', { vector: [0, 1], k: 1 });
    expect(found.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['a']);
    // The other instance cached the collection: a write there is seen here on the next search.
    expect(
      (await call(1, token, 'PUT', '/v1/collections/c/vectors', { vectors: [{ id: 'b', vector: [5, 5] }] }))
        .status,
    ).to.equal(200);
    const again = await call(0, spare, 'POST', '/v1/collections/c/search', { vector: [5, 5], k: 1 });
    expect(again.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['b']);

    const revoked = await fetch(`${fleet.auth[1]?.url}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).to.equal(200);
    for (const i of [0, 1]) {
      expect((await call(i, token, 'GET', '/v1/collections')).status).to.equal(401);
      expect((await call(i, spare, 'GET', '/v1/collections')).status).to.equal(200);
    }
  });

  it('counts one rate limit for a principal across both vector instances', async () => {
    const token = await tokenAt(1, await newClient());
    const statuses: number[] = [];
    await withLogLines([{ service: 'vector-api', level: 'warn', msg: 'rate limit hit' }], async () => {
      for (let i = 0; i < LIMIT + 2; i++)
        statuses.push((await call(i % 2, token, 'GET', '/v1/collections')).status);
    });
    expect(
      statuses.slice(0, LIMIT).every((s) => s === 200),
      statuses.join(','),
    ).to.equal(true);
    expect(statuses.slice(LIMIT)).to.deep.equal([429, 429]);
  });

  it('shreds a deleted principal’s collections on a principal event from the cluster’s stream', async () => {
    const client = await newClient();
    const token = await tokenAt(0, client);
    expect(
      (await call(1, token, 'POST', '/v1/collections', { name: 'gone', dimension: 2, metric: 'ip' })).status,
    ).to.equal(201);
    const logger = silentLogger('fleet-test');
    // What the auth server's DELETE /admin/users sends, sent here for a client principal.
    const redis = createRedis(topology.url, 'fleet-test', logger);
    const db = new pg.Client({ connectionString: testEnv().vectorDatabaseUrl });
    await db.connect();
    try {
      await waitFor('the test’s cluster connection', () => redis.status === 'ready');
      await publishPrincipalDeleted(redis, client.client_id);
      // Waited for as a condition (a loaded machine takes longer), never for a fixed count of tries.
      await waitFor(
        'the vector API shredding the principal’s collections',
        async () => {
          const { rows } = await db.query<{ n: number }>(
            'select count(*)::int as n from collection where principal = $1',
            [client.client_id],
          );
          return rows[0]?.n === 0;
        },
        60_000,
      );
    } finally {
      await db.end();
      await closeRedis(redis);
    }
  });
});
