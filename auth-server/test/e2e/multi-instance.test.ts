import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import pg from 'pg';
import { BrowserSession } from '../support/browser-session.ts';
import { authorizationRequest, consent, newPkce, signIn, signUpVerified } from '../support/code-flow.ts';
import { useSpawnedCluster } from '../support/spawned-cluster.ts';
import { testEnv } from '../support/test-env.ts';

type Client = { client_id: string; client_secret: string };

describe('e2e: two auth-server and two vector-api processes behave as one', function () {
  this.timeout(180_000);
  const spawned = useSpawnedCluster({ auth: 2, vector: 2 }, { smtp: true, env: { BCRYPT_COST: '4' } });

  const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const tokenAt = async (i: number, client: Client, fields: Record<string, string>) => {
    const res = await fetch(`${spawned.cluster.auth[i]!.url}/token`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as { access_token: string; refresh_token?: string };
  };
  const vectorCall = async (i: number, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${spawned.cluster.vector[i]!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('issues, serves and revokes across instances', async () => {
    const created = await spawned.cluster.admin(1, 'POST', '/admin/clients', {
      client_name: 'fleet',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
    const client = (await created.json()) as Client;
    const scope = { grant_type: 'client_credentials', scope: 'vectors:read vectors:write' };
    const { access_token: token } = await tokenAt(0, client, scope);
    const { access_token: spare } = await tokenAt(1, client, scope);

    expect(
      (await vectorCall(0, token, 'POST', '/v1/collections', { name: 'shared', dimension: 2, metric: 'l2' }))
        .status,
    ).to.equal(201);
    expect(
      (
        await vectorCall(1, spare, 'PUT', '/v1/collections/shared/vectors', {
          vectors: [{ id: 'a', vector: [0, 1] }],
        })
      ).status,
    ).to.equal(200);
    // A write acknowledged by one instance is visible to a search on the other on the next request.
    const found = await vectorCall(0, token, 'POST', '/v1/collections/shared/search', {
      vector: [0, 1],
      k: 1,
    });
    expect(found.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['a']);
    expect(
      (
        await vectorCall(1, token, 'PUT', '/v1/collections/shared/vectors', {
          vectors: [{ id: 'b', vector: [5, 5] }],
        })
      ).status,
    ).to.equal(200);
    const again = await vectorCall(0, spare, 'POST', '/v1/collections/shared/search', {
      vector: [5, 5],
      k: 1,
    });
    expect(again.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['b']);

    const revoked = await fetch(`${spawned.cluster.auth[1]!.url}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).to.equal(200);
    for (const i of [0, 1]) {
      expect((await vectorCall(i, token, 'GET', '/v1/collections')).status).to.equal(401);
      expect((await vectorCall(i, spare, 'GET', '/v1/collections')).status).to.equal(200);
    }
  });

  it('deleting a user on one auth instance kills their tokens and destroys their vectors everywhere', async () => {
    const appRes = await spawned.cluster.admin(0, 'POST', '/admin/clients', {
      client_name: 'notes',
      redirect_uris: ['https://notes.example/cb'],
      grant_types: ['authorization_code'],
      scope: 'openid vectors:read vectors:write',
    });
    const app = (await appRes.json()) as Client;
    const email = `fleet-${Date.now()}@example.com`;
    const browser = new BrowserSession(spawned.cluster.auth[0]!.url);
    await signUpVerified(browser, spawned.sink, email, 'fleet passphrase ok');
    const pkce = newPkce();
    const login = await browser.get(
      authorizationRequest(
        { client_id: app.client_id, redirectUri: 'https://notes.example/cb' },
        { scope: 'openid vectors:read vectors:write' },
        pkce,
      ),
    );
    const back = await consent(browser, await signIn(browser, login, email, 'fleet passphrase ok'), 'allow');
    const { access_token } = await tokenAt(1, app, {
      grant_type: 'authorization_code',
      code: back.leftTo!.searchParams.get('code')!,
      redirect_uri: 'https://notes.example/cb',
      code_verifier: pkce.verifier,
    });
    const sub = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).sub as string;
    expect(
      (
        await vectorCall(1, access_token, 'POST', '/v1/collections', {
          name: 'diary',
          dimension: 2,
          metric: 'ip',
        })
      ).status,
    ).to.equal(201);
    expect(
      (
        await vectorCall(0, access_token, 'PUT', '/v1/collections/diary/vectors', {
          vectors: [{ id: 'd1', vector: [1, 1], metadata: { text: 'secret' } }],
        })
      ).status,
    ).to.equal(200);

    expect((await spawned.cluster.admin(1, 'DELETE', `/admin/users/${sub}`)).status).to.equal(204);
    for (const i of [0, 1])
      expect((await vectorCall(i, access_token, 'GET', '/v1/collections')).status).to.equal(401);

    const db = new pg.Client({ connectionString: testEnv().vectorDatabaseUrl });
    await db.connect();
    try {
      let left = -1;
      for (let i = 0; i < 100 && left !== 0; i++) {
        const { rows } = await db.query<{ n: number }>(
          'select count(*)::int as n from collection where principal = $1',
          [sub],
        );
        left = rows[0]!.n;
        if (left) await sleep(100);
      }
      expect(left, 'the vector API shredded the deleted user’s collections').to.equal(0);
    } finally {
      await db.end();
    }
  });
});
