import { expect } from 'chai';
import { Redis } from 'ioredis';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import type { TestAuthServer } from '../../support/test-auth-server.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

type Client = { client_id: string; client_secret: string };

interface Registered extends Client {
  registration_access_token: string;
  registration_client_uri: string;
}

const M2M = {
  client_name: 'cached',
  grant_types: ['client_credentials'],
  scope: 'vectors:read vectors:write',
};

/** The status and OAuth error of a client-credentials request at `server`. */
async function tokenAt(server: TestAuthServer, client: Client, scope = 'vectors:read') {
  const res = await server.clientCredentialsToken(client, { scope });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
}

const ok = { status: 200, error: undefined };

/**
 * The client cache of issue 14 across instances: a change made at one instance (admin API, RFC
 * 7592, console) is what the other instance acts on at its very next request, although that
 * instance answered from memory just before. Each test first makes `b` hold the client in memory.
 */
describe('clients from memory: a change at one instance holds at the next request of another', function () {
  this.timeout(60_000);
  const a = useAuthStack({ db: true });
  const b = useAuthStack();

  const register = async (): Promise<Registered> => {
    const res = await fetch(`${a.server.issuer}/reg`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await a.server.initialAccessToken()}`,
      },
      body: JSON.stringify(M2M),
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as Registered;
  };

  /** `b` serves the client (from memory from now on). */
  const warm = async (client: Client) => {
    expect(await tokenAt(b.server, client)).to.deep.equal(ok);
    expect(await tokenAt(b.server, client)).to.deep.equal(ok);
  };

  it('a client deleted through the admin API is refused at the other instance', async () => {
    const client = await a.server.createClient(M2M);
    await warm(client);
    expect((await a.server.admin('DELETE', `/admin/clients/${client.client_id}`)).status).to.equal(204);
    expect(await tokenAt(b.server, client)).to.deep.equal({ status: 401, error: 'invalid_client' });
  });

  it('a client deleted with RFC 7592 is refused at the other instance', async () => {
    const client = await register();
    await warm(client);
    const gone = await fetch(client.registration_client_uri, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    });
    expect(gone.status).to.equal(204);
    expect(await tokenAt(b.server, client)).to.deep.equal({ status: 401, error: 'invalid_client' });
  });

  it('a rotated secret: the old one is refused and the new one taken at the other instance', async () => {
    const client = await a.server.createClient(M2M);
    await warm(client);
    const res = await a.server.admin('POST', `/admin/clients/${client.client_id}/secret`, {});
    expect(res.status).to.equal(200);
    const rotated = (await res.json()) as Client;
    expect(await tokenAt(b.server, client)).to.deep.equal({ status: 401, error: 'invalid_client' });
    expect(await tokenAt(b.server, rotated)).to.deep.equal(ok);
  });

  it('an RFC 7592 update narrowing scope and grants applies at the other instance', async () => {
    const client = await register();
    await warm(client);
    expect(await tokenAt(b.server, client, 'vectors:write')).to.deep.equal(ok);
    const put = (body: Record<string, unknown>, token: string) =>
      fetch(client.registration_client_uri, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: client.client_id, client_secret: client.client_secret, ...body }),
      });
    const narrowed = await put({ ...M2M, scope: 'vectors:read' }, client.registration_access_token);
    expect(narrowed.status).to.equal(200);
    const { registration_access_token: next } = (await narrowed.json()) as Registered;
    expect(await tokenAt(b.server, client, 'vectors:write')).to.deep.equal({
      status: 400,
      error: 'invalid_scope',
    });
    expect(await tokenAt(b.server, client, 'vectors:read')).to.deep.equal(ok);

    const noMachineGrant = await put(
      {
        ...M2M,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://cached.example/cb'],
      },
      next,
    );
    expect(noMachineGrant.status).to.equal(200);
    // oidc-provider's words for a grant type the client may not use.
    expect(await tokenAt(b.server, client)).to.deep.equal({ status: 400, error: 'invalid_request' });
  });

  it('an admin update (first_party) is what the other instance reads next', async () => {
    const client = await a.server.createClient(M2M);
    await warm(client);
    const read = async () =>
      (
        (await (await b.server.admin('GET', `/admin/clients/${client.client_id}`)).json()) as {
          first_party: boolean;
        }
      ).first_party;
    expect(await read()).to.equal(false);
    const patched = await a.server.admin('PATCH', `/admin/clients/${client.client_id}`, {
      first_party: true,
    });
    expect(patched.status).to.equal(200);
    expect(await read()).to.equal(true);
  });

  it('a client created at one instance is served at the other at once', async () => {
    const client = await a.server.createClient(M2M);
    expect(await tokenAt(b.server, client)).to.deep.equal(ok);
  });

  describe('when a change notice is lost', () => {
    expectLogLines([
      { service: 'auth-server', level: 'warn', msg: 'redis connection problem', optional: true },
    ]);

    /** A change no instance announces: written into Postgres behind the adapter's back. */
    const deleteBehindTheirBack = async (clientId: string) => {
      await a.db.query("delete from oidc_model where model = 'Client' and id = $1", [clientId]);
    };

    it('an instance that lost its subscription drops what it holds: the change is seen once it listens again', async () => {
      const client = await a.server.createClient(M2M);
      await warm(client);
      await deleteBehindTheirBack(client.client_id);
      // Served from memory: nothing announced the change (this is what the TTL bounds, see below).
      expect(await tokenAt(b.server, client)).to.deep.equal(ok);
      const redis = new Redis(testEnv().redisUrl);
      try {
        // Every subscription connection drops (notices sent now would be lost): the TTL (30 s) is
        // far off, so a refusal before it comes from the cache emptied on losing/regaining it.
        await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      } finally {
        redis.disconnect();
      }
      await waitFor('the other instance to refuse the deleted client', async () => {
        const { status } = await tokenAt(b.server, client);
        return status === 401;
      });
    });
  });
});

describe('clients from memory: a lost change notice is seen within CLIENT_CACHE_TTL_SEC', function () {
  this.timeout(60_000);
  const stack = useAuthStack({ db: true, env: { CLIENT_CACHE_TTL_SEC: '2' } });

  it('serves the client it holds until the TTL, then reads Postgres again', async () => {
    const client = await stack.server.createClient(M2M);
    expect(await tokenAt(stack.server, client)).to.deep.equal(ok);
    await stack.db.query("delete from oidc_model where model = 'Client' and id = $1", [client.client_id]);
    // No notice, no lost subscription: only the TTL makes the instance read Postgres again.
    await waitFor(
      'the deleted client to be refused',
      async () => (await tokenAt(stack.server, client)).status === 401,
    );
  });
});
