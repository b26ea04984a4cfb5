import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { ensureDatabase } from '../../../scripts/lib/backing-services.ts';
import { type PgBouncer, startPgBouncer } from '../../../scripts/lib/pgbouncer.ts';
import { runNode } from '../../../scripts/lib/service-process.ts';
import { type SpawnedCluster, startSpawnedCluster } from '../support/spawned-cluster.ts';
import { spawnedEnv } from '../support/spawned-env.ts';
import { testEnv } from '../support/test-env.ts';

type Client = { client_id: string; client_secret: string };
const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Both services behind a real PgBouncer in transaction mode (a pool of three server connections
 * shared by every instance): migrations, concurrent transactions, and the statement timeouts
 * PgBouncer sets on its server connections. `TEST_PGBOUNCER=1 npm test` runs the whole suite this
 * way (the signing-key lifecycle's advisory transaction lock included).
 */
describe('e2e: both services behind PgBouncer in transaction mode', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  let bouncer: PgBouncer;
  let fleet: SpawnedCluster | undefined;

  before(async () => {
    bouncer = await startPgBouncer({ dir, postgresUrl: testEnv().databaseUrl, poolSize: 3 });
  });
  after(async () => {
    await fleet?.stop();
    await bouncer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Transactions PgBouncer has passed to `database` so far (its admin console). */
  const transactionsThrough = async (database: string) => {
    const admin = new URL(bouncer.through(testEnv().databaseUrl));
    admin.pathname = '/pgbouncer';
    admin.searchParams.delete('pgbouncer');
    const console = new pg.Client({ connectionString: admin.toString() });
    await console.connect();
    try {
      // The admin console speaks only the simple query protocol.
      const stats = await console.query({ text: 'SHOW STATS', queryMode: 'simple' } as pg.QueryConfig);
      return Number(
        stats.rows.find((r: { database: string }) => r.database === database)?.total_xact_count ?? 0,
      );
    } finally {
      await console.end();
    }
  };

  it('migrates new databases through it, once, and gives server connections the timeouts', async () => {
    const suffix = randomBytes(4).toString('hex');
    const direct = (name: string) => {
      const url = new URL(testEnv().databaseUrl);
      url.pathname = `/${name}`;
      return url.toString();
    };
    const databases = { auth: direct(`pgb_auth_${suffix}`), vector: direct(`pgb_vector_${suffix}`) };
    for (const url of Object.values(databases)) await ensureDatabase(url, true);
    try {
      for (let run = 0; run < 2; run++) {
        const env = spawnedEnv({
          DATABASE_URL: bouncer.through(databases.auth),
          VECTOR_DATABASE_URL: bouncer.through(databases.vector),
        });
        await runNode(resolve(ROOT, 'auth-server/src/migrate.ts'), env);
        await runNode(resolve(ROOT, 'vector-api/src/migrate.ts'), env);
      }
      const db = new pg.Client({ connectionString: bouncer.through(databases.auth) });
      await db.connect();
      try {
        const applied = await db.query<{ n: number }>('select count(*)::int as n from schema_migrations');
        const names = await db.query<{ n: number }>(
          'select count(distinct name)::int as n from schema_migrations',
        );
        expect(applied.rows[0]?.n).to.be.greaterThan(5).and.equal(names.rows[0]?.n);
        expect((await db.query('show statement_timeout')).rows[0]).to.deep.equal({ statement_timeout: '5s' });
        expect((await db.query('show lock_timeout')).rows[0]).to.deep.equal({ lock_timeout: '2s' });
      } finally {
        await db.end();
      }
    } finally {
      const admin = new pg.Client({ connectionString: direct('postgres') });
      await admin.connect();
      for (const url of Object.values(databases)) {
        await admin.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
      }
      await admin.end();
    }
  });

  it('serves two auth servers and a vector API: tokens, concurrent vector writes, revocation', async () => {
    const authDb = new URL(testEnv().databaseUrl).pathname.slice(1);
    const before = await transactionsThrough(authDb);
    fleet = await startSpawnedCluster(
      { auth: 2, vector: 1 },
      {
        DATABASE_URL: bouncer.through(testEnv().databaseUrl),
        VECTOR_DATABASE_URL: bouncer.through(testEnv().vectorDatabaseUrl),
      },
    );
    const cluster = fleet;
    const created = await cluster.admin(0, 'POST', '/admin/clients', {
      client_name: 'pooled',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
    expect(created.status).to.equal(201);
    const client = (await created.json()) as Client;
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const token = async (i: number) => {
      const res = await fetch(`${cluster.auth[i]?.url}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read vectors:write' }),
      });
      expect(res.status).to.equal(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const call = async (bearer: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${cluster.vector[0]?.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const bearer = await token(1);
    expect(
      (await call(bearer, 'POST', '/v1/collections', { name: 'p', dimension: 2, metric: 'l2' })).status,
    ).to.equal(201);
    // Concurrent writes to one collection: each its own transaction, on whichever server connection.
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(bearer, 'PUT', '/v1/collections/p/vectors', { vectors: [{ id: `v${i}`, vector: [i, 1] }] }),
      ),
    );
    expect(writes.map((w) => w.status)).to.deep.equal(Array(12).fill(200));
    const found = await call(bearer, 'POST', '/v1/collections/p/search', { vector: [11, 1], k: 1 });
    expect(found.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['v11']);

    const revoked = await fetch(`${cluster.auth[0]?.url}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: bearer }),
    });
    expect(revoked.status).to.equal(200);
    expect((await call(bearer, 'GET', '/v1/collections')).status).to.equal(401);
    expect((await call(await token(0), 'GET', '/v1/collections')).status).to.equal(200);
    expect(
      await transactionsThrough(authDb),
      'the auth servers’ transactions went through PgBouncer',
    ).to.be.greaterThan(before + 10);
  });
});
