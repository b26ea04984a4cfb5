import { expect } from 'chai';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('admin API', () => {
  const stack = useAuthStack();

  it('refuses requests without the admin token, or with a wrong one', async () => {
    const none = await fetch(`${stack.server.adminUrl}/admin/clients`);
    expect(none.status).to.equal(401);
    expect(await none.json()).to.include({ error: 'unauthorized' });
    expect((await stack.server.admin('GET', '/admin/clients', undefined, 'x'.repeat(40))).status).to.equal(
      401,
    );
  });

  it('is not reachable on the public port', async () => {
    const res = await fetch(`${stack.server.issuer}/admin/clients`, {
      headers: { authorization: `Bearer ${stack.server.config.admin.token}` },
    });
    expect(res.status).to.equal(404);
  });

  it('creates a client with a server-generated secret shown once, then never again', async () => {
    const res = await stack.server.admin('POST', '/admin/clients', {
      client_name: 'Reporting job',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
      first_party: true,
    });
    expect(res.status).to.equal(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created.client_secret).to.be.a('string').with.length.greaterThan(40);
    expect(created).to.include({ first_party: true, client_name: 'Reporting job' });
    const read = (await (
      await stack.server.admin('GET', `/admin/clients/${created.client_id}`)
    ).json()) as Record<string, unknown>;
    expect(read).to.include({ client_id: created.client_id, first_party: true });
    expect(read).not.to.have.property('client_secret');
    const { clients } = (await (await stack.server.admin('GET', '/admin/clients')).json()) as {
      clients: Record<string, unknown>[];
    };
    const listed = clients.find((c) => c.client_id === created.client_id);
    expect(listed).to.exist;
    expect(listed).not.to.have.property('client_secret');
  });

  it('rejects bad metadata with a 400 that says what is wrong', async () => {
    const cases: [unknown, string][] = [
      [{ grant_types: ['client_credentials'] }, 'client_name'],
      [{ client_name: 'x', grant_types: ['implicit'] }, 'grant_types'],
      [{ client_name: 'x', redirect_uris: ['not a url'] }, 'redirect_uris'],
      [{ client_name: 'x', surprise: true }, 'surprise'],
      [{ client_name: 'x', first_party: 'yes' }, 'first_party'],
      [{ client_name: 'x', redirect_uris: ['https://app.example/cb#frag'] }, 'fragment'],
    ];
    for (const [body, mention] of cases) {
      const res = await stack.server.admin('POST', '/admin/clients', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      const err = (await res.json()) as { error: string; message: string };
      expect(err.message, JSON.stringify(body)).to.contain(mention);
    }
  });

  it('answers malformed JSON, wrong content types and oversized bodies without a 500', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${stack.server.adminUrl}/admin/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.server.config.admin.token}`, 'content-type': type },
        body,
      });
    const malformed = await post('{"client_name":');
    expect(malformed.status).to.equal(400);
    expect(await malformed.json()).to.include({ error: 'invalid_json' });
    expect((await post('client_name=x', 'application/x-www-form-urlencoded')).status).to.equal(415);
    const huge = await post(JSON.stringify({ client_name: 'x'.repeat(200_000) }));
    expect(huge.status).to.equal(413);
  });

  it('answers 404 for unknown clients and hostile ids', async () => {
    for (const id of ['nope', "x' or '1'='1", 'a'.repeat(500)]) {
      const res = await stack.server.admin('GET', `/admin/clients/${encodeURIComponent(id)}`);
      expect(res.status).to.equal(404);
    }
    expect((await stack.server.admin('DELETE', '/admin/clients/nope')).status).to.equal(404);
  });

  it('lists signing keys without private parts', async () => {
    const { keys } = (await (await stack.server.admin('GET', '/admin/keys')).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.some((k) => k.status === 'current')).to.equal(true);
    for (const k of keys)
      expect(Object.keys(k)).to.have.members([
        'kid',
        'alg',
        'status',
        'createdAt',
        'activatedAt',
        'retiredAt',
        'revokedAt',
        'promotableAt',
        'removeAfter',
        'denyUntil',
      ]);
  });
});

describe('admin API: methods', () => {
  const stack = useAuthStack();

  it('answers a wrong method with 405, an Allow header and the error shape', async () => {
    const res = await stack.server.admin('PATCH', '/admin/clients');
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.contain('POST');
    expect(await res.json()).to.include({ error: 'method_not_allowed' });
  });
});
