import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { useSpawnedCluster } from '../support/spawned-cluster.ts';

type Client = { client_id: string; client_secret: string };
interface Issued {
  token: string;
  kid: string;
  exp: number;
  from: number;
}
interface Failure {
  what: string;
  status: number;
  body: string;
}

/**
 * Two auth-server and two vector-api processes under continuous traffic (token issuance at both
 * auth instances, `GET /v1/collections` at both vector instances with tokens from both) through
 * a full stage -> promote -> retire (removal) cycle, then an emergency revoke.
 */
describe('e2e: signing-key rotation under traffic across two auth and two vector instances', function () {
  this.timeout(240_000);
  const spawned = useSpawnedCluster(
    { auth: 2, vector: 2 },
    {
      env: {
        // Short lifetimes so a whole lifecycle fits in a test; the same rules as in production.
        ACCESS_TOKEN_TTL: '10',
        ID_TOKEN_TTL: '10',
        JWKS_MAX_AGE_SEC: '1',
        KEY_SYNC_INTERVAL_SEC: '1',
        KEY_PUBLISH_WAIT_SEC: '7',
        KEY_REMOVAL_GRACE_SEC: '6',
        BCRYPT_COST: '4',
      },
    },
  );
  let client: Client;

  before(async () => {
    const created = await spawned.cluster.admin(0, 'POST', '/admin/clients', {
      client_name: 'rotation-traffic',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    expect(created.status).to.equal(201);
    client = (await created.json()) as Client;
  });

  const issue = async (i: number): Promise<Issued | Failure> => {
    const res = await fetch(`${spawned.cluster.auth[i]!.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read' }),
    });
    const text = await res.text();
    if (res.status !== 200) return { what: `token at auth ${i}`, status: res.status, body: text };
    const token = (JSON.parse(text) as { access_token: string }).access_token;
    return { token, kid: decodeProtectedHeader(token).kid!, exp: decodeJwt(token).exp!, from: i };
  };
  const list = (j: number, token: string) =>
    fetch(`${spawned.cluster.vector[j]!.url}/v1/collections`, {
      headers: { authorization: `Bearer ${token}` },
    });
  const publishedAt = async (i: number) => {
    const { keys } = (await (await fetch(`${spawned.cluster.auth[i]!.url}/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    return keys.map((k) => k.kid);
  };
  const currentKid = async () => {
    const { keys } = (await (await spawned.cluster.admin(0, 'GET', '/admin/keys')).json()) as {
      keys: { kid: string; status: string }[];
    };
    return keys.find((k) => k.status === 'current')!.kid;
  };
  /** Polls (bounded) until `check` holds. */
  const eventually = async (what: string, check: () => Promise<boolean>, tries = 300) => {
    for (let i = 0; i < tries; i++) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`never happened: ${what}`);
  };
  /** Promotes `kid` as soon as the auth server allows it (it refuses with 409 until published long enough). */
  const promote = async (kid: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await spawned.cluster.admin(1, 'POST', `/admin/keys/${kid}/promote`, {});
      if (res.status === 200) return;
      expect(res.status).to.equal(409);
      await sleep(100);
    }
    throw new Error(`${kid} was never promotable`);
  };

  /** Continuous traffic until stopped: every request is recorded, every failure kept. */
  function startTraffic() {
    const failures: Failure[] = [];
    const served = new Map<string, number>(); // kid -> successful vector-API calls with its tokens
    const issuedBy = new Map<string, Set<number>>(); // kid -> auth instances that issued with it
    const pool = new Map<string, Issued>(); // newest token per key and issuing instance
    let stopped = false;
    let rounds = 0;
    const run = (async () => {
      while (!stopped) {
        for (const i of [0, 1]) {
          const got = await issue(i);
          if ('what' in got) failures.push(got);
          else {
            pool.set(`${got.kid}/${i}`, got);
            issuedBy.set(got.kid, (issuedBy.get(got.kid) ?? new Set()).add(i));
          }
        }
        // Only tokens well inside their lifetime: an old key's tokens stay in use until they expire.
        const now = Date.now() / 1000;
        for (const [slot, t] of pool) if (t.exp - now <= 3) pool.delete(slot);
        for (const j of [0, 1]) {
          for (const t of pool.values()) {
            const res = await list(j, t.token);
            const body = await res.text();
            if (res.status !== 200) {
              failures.push({
                what: `vector ${j} with a token of ${t.kid} from auth ${t.from}`,
                status: res.status,
                body,
              });
            } else served.set(t.kid, (served.get(t.kid) ?? 0) + 1);
          }
        }
        rounds++;
        await sleep(20);
      }
    })();
    return {
      failures,
      served,
      issuedBy,
      rounds: () => rounds,
      async stop() {
        stopped = true;
        await run;
      },
    };
  }

  it('stage -> promote -> retire under traffic: zero failed requests, new kid in new tokens, old tokens valid until expiry; then an emergency revoke', async () => {
    const oldKid = await currentKid();
    const jwksRes = await fetch(`${spawned.cluster.auth[0]!.url}/jwks`);
    expect(jwksRes.headers.get('cache-control')).to.equal('public, max-age=1');

    let newKid = '';
    const traffic = startTraffic();
    try {
      await eventually(
        'traffic flowing with the old key',
        async () => (traffic.served.get(oldKid) ?? 0) >= 8,
      );

      // Stage: published everywhere, not signing.
      const staged = await spawned.cluster.admin(0, 'POST', '/admin/keys/rotate', {});
      expect(staged.status).to.equal(201);
      newKid = ((await staged.json()) as { key: { kid: string } }).key.kid;
      for (const i of [0, 1]) {
        await eventually(`auth ${i} publishes the next key`, async () =>
          (await publishedAt(i)).includes(newKid),
        );
      }
      expect(traffic.issuedBy.has(newKid)).to.equal(false);

      // Promote (at the other instance): both instances sign with the new key.
      await promote(newKid);
      const oldServedAtPromotion = traffic.served.get(oldKid) ?? 0;
      await eventually(
        'both auth instances sign with the new key',
        async () => traffic.issuedBy.get(newKid)?.size === 2,
      );
      await eventually(
        'new-key tokens served at both vector instances',
        async () => (traffic.served.get(newKid) ?? 0) >= 8,
      );
      await eventually(
        'old-key tokens still served after the promotion',
        async () => (traffic.served.get(oldKid) ?? 0) > oldServedAtPromotion,
      );

      // Retire: the old key stays published until its tokens expired, then leaves every JWKS.
      for (const i of [0, 1]) {
        await eventually(
          `auth ${i} removes the retired key`,
          async () => !(await publishedAt(i)).includes(oldKid),
        );
      }
      const roundsAfterRemoval = traffic.rounds();
      await eventually(
        'traffic continues after the removal',
        async () => traffic.rounds() >= roundsAfterRemoval + 3,
      );
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).to.deep.equal([]);
    expect(traffic.served.get(oldKid)).to.be.greaterThan(0);
    expect(traffic.served.get(newKid)).to.be.greaterThan(0);

    // Emergency: a second rotation, then the previous key is revoked while its tokens are alive.
    const revokedKid = newKid;
    const staged = await spawned.cluster.admin(0, 'POST', '/admin/keys/rotate', {});
    const nextKid = ((await staged.json()) as { key: { kid: string } }).key.kid;
    const doomed = [await issue(0), await issue(1)] as Issued[];
    expect(doomed.map((t) => t.kid)).to.deep.equal([revokedKid, revokedKid]);
    await promote(nextKid);
    let survivors: Issued[] = [];
    await eventually('both auth instances sign with the newest key', async () => {
      survivors = [await issue(0), await issue(1)] as Issued[];
      return survivors.every((t) => t.kid === nextKid);
    });
    for (const t of [...doomed, ...survivors]) {
      for (const j of [0, 1]) expect((await list(j, t.token)).status).to.equal(200);
    }

    const revoked = await spawned.cluster.admin(1, 'POST', `/admin/keys/${revokedKid}/revoke`, {});
    expect(revoked.status).to.equal(200);
    for (const t of doomed) {
      for (const j of [0, 1]) {
        const res = await list(j, t.token);
        expect(res.status, `vector ${j}, token from auth ${t.from}`).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
      }
    }
    for (const t of survivors) {
      for (const j of [0, 1]) expect((await list(j, t.token)).status).to.equal(200);
    }
    for (const i of [0, 1]) {
      await eventually(
        `auth ${i} unpublishes the revoked key`,
        async () => !(await publishedAt(i)).includes(revokedKid),
      );
    }
  });
});
