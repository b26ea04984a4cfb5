import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Fleet, type FleetInstance, startFleet } from '../../../scripts/lib/fleet.ts';
import { adminTokenIn, spawnedEnv } from '../support/spawned-env.ts';

type Client = { client_id: string; client_secret: string };
const SCOPE = 'vectors:read vectors:write vectors:delete';

/**
 * `npm run fleet`'s fleet (scripts/lib/fleet.ts): two auth servers and three vector APIs behind a
 * real HAProxy with the configuration of scripts/lib/haproxy-config.ts.
 */
describe('e2e: a fleet behind HAProxy', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-fleet-'));
  const env = spawnedEnv();
  let fleet: Fleet;

  before(async () => {
    fleet = await startFleet({ counts: { auth: 2, vector: 3 }, env, dir });
  });
  after(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => fleet.instances.filter((i) => i.kind === 'auth');
  const vectors = () => fleet.instances.filter((i) => i.kind === 'vector');
  const newClient = async (): Promise<Client> => {
    const res = await fetch(`${auth()[0]?.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenIn(env.DATA_DIR)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'fleet', grant_types: ['client_credentials'], scope: SCOPE }),
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as Client;
  };
  const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  /** A token through the load balancer, and the auth instance that issued it. */
  const token = async (client: Client) => {
    const res = await fetch(`${fleet.authUrl}/token`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token)
      throw new Error(`token: ${res.status} ${JSON.stringify(body)}`);
    return { token: body.access_token, by: res.headers.get('x-served-by') };
  };
  /** A vector API call through the load balancer: status, body and the instance that answered. */
  const call = async (bearer: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${fleet.vectorUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, by: res.headers.get('x-served-by') };
  };

  it('spreads token requests over the auth servers', async () => {
    const client = await newClient();
    const issuers = new Set<string | null>();
    for (let i = 0; i < 6; i++) issuers.add((await token(client)).by);
    expect([...issuers].sort()).to.deep.equal(['auth1', 'auth2']);
  });

  it('keeps each principal on one vector instance, and moves only the principals of one that stops', async () => {
    const principals = await Promise.all(
      Array.from({ length: 12 }, async () => (await token(await newClient())).token),
    );
    const home = async (bearer: string) => {
      const seen = new Set<string | null>();
      for (let i = 0; i < 4; i++) {
        const res = await call(bearer, 'GET', '/v1/collections');
        expect(res.status).to.equal(200);
        seen.add(res.by);
      }
      expect(seen.size, 'one instance per principal').to.equal(1);
      return [...seen][0] as string;
    };
    const before = await Promise.all(principals.map(home));
    expect(new Set(before).size, 'principals spread over the instances').to.be.greaterThan(1);

    const stopped = vectors().find((v) => v.name === before[0]) as FleetInstance;
    await fleet.stopInstance(stopped);
    // At once, before a health check has noticed: every request is answered (retried elsewhere).
    const after = await Promise.all(principals.map(home));
    for (const [i, was] of before.entries()) {
      if (was === stopped.name) expect(after[i]).not.to.equal(stopped.name);
      else expect(after[i], 'a principal of a running instance stays there').to.equal(was);
    }
    await fleet.restart(stopped);
  });

  it('restarts every instance one by one under mixed traffic: no failed request, no acknowledged write lost', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, newClient));
    const tokens = await Promise.all(clients.map(async (c) => (await token(c)).token));
    for (const bearer of tokens) {
      const created = await call(bearer, 'POST', '/v1/collections', {
        name: 'roll',
        dimension: 2,
        metric: 'l2',
      });
      expect(created.status).to.equal(201);
    }
    const failures: string[] = [];
    const acknowledged = tokens.map(() => [] as string[]);
    let stop = false;
    let sent = 0;
    const worker = async (w: number) => {
      const client = clients[w] as Client;
      let bearer = tokens[w] as string;
      for (let n = 0; !stop; n++) {
        const kind = n % 10;
        try {
          sent++;
          if (kind === 0) {
            bearer = (await token(client)).token;
          } else if (kind === 9) {
            // Revoke a fresh token: the next request with it is refused, wherever it lands.
            const doomed = (await token(client)).token;
            const res = await fetch(`${fleet.authUrl}/token/revocation`, {
              method: 'POST',
              headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ token: doomed }),
            });
            if (res.status !== 200) failures.push(`revocation ${res.status}`);
            const after = await call(doomed, 'GET', '/v1/collections');
            if (after.status !== 401) failures.push(`revoked token answered ${after.status} by ${after.by}`);
          } else if (kind % 2 === 1) {
            const id = `w${w}-${n}`;
            const res = await call(bearer, 'PUT', '/v1/collections/roll/vectors', {
              vectors: [{ id, vector: [w, n] }],
            });
            if (res.status === 200) (acknowledged[w] as string[]).push(id);
            else failures.push(`upsert ${res.status} by ${res.by}: ${JSON.stringify(res.body)}`);
          } else {
            const res = await call(bearer, 'POST', '/v1/collections/roll/search', { vector: [w, n], k: 3 });
            if (res.status !== 200)
              failures.push(`search ${res.status} by ${res.by}: ${JSON.stringify(res.body)}`);
          }
        } catch (err) {
          failures.push(`request failed: ${(err as Error).message}`);
        }
      }
    };
    const traffic = Promise.all(tokens.map((_, w) => worker(w)));
    for (const instance of [...fleet.instances]) await fleet.restart(instance);
    stop = true;
    await traffic;
    expect(failures, `${failures.length} of ${sent} requests failed`).to.deep.equal([]);
    expect(sent).to.be.greaterThan(100);
    for (const [w, ids] of acknowledged.entries()) {
      const bearer = (await token(clients[w] as Client)).token;
      const count = await call(bearer, 'POST', '/v1/collections/roll/count', {});
      expect(count.body.count, `principal ${w}: every acknowledged write is there`).to.equal(ids.length);
    }
  });
});
