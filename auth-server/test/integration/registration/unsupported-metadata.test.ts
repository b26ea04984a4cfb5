import { expect } from 'chai';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * Registration takes only what it understands: on every door (RFC 7591/7592, the admin API, the
 * developer console) metadata we do not implement is refused with `invalid_client_metadata`
 * naming the field, never stored or silently dropped.
 */
describe('registration refuses metadata it does not understand, on every door', () => {
  const stack = useAuthStack({ smtp: true });
  let iat: string;

  before(async () => {
    iat = await stack.server.initialAccessToken();
  });

  const m2m = { client_name: 'indexer', grant_types: ['client_credentials'], scope: 'vectors:read' };
  /** [what, extra metadata, the field the message must name] */
  const unsupported: [string, Record<string, unknown>, string][] = [
    [
      'a software statement',
      { software_statement: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' },
      'software_statement',
    ],
    ['a made-up field', { colour_scheme: 'dark' }, 'colour_scheme'],
    ['a known but unsupported OpenID Connect field', { default_max_age: 60 }, 'default_max_age'],
    ['a known but unsupported RFC 7591 field', { software_id: '4NRB1-0XZABZI9E6-5SM3R' }, 'software_id'],
  ];

  const register = (body: unknown) =>
    fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  for (const [what, extra, field] of unsupported) {
    it(`RFC 7591 refuses ${what}`, async () => {
      const res = await register({ ...m2m, ...extra });
      expect(res.status).to.equal(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).to.equal('invalid_client_metadata');
      expect(body.error_description).to.contain(field);
    });

    it(`the admin API refuses ${what}`, async () => {
      const res = await stack.server.admin('POST', '/admin/clients', { ...m2m, ...extra });
      expect(res.status).to.equal(400);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).to.equal('invalid_client_metadata');
      expect(body.message).to.contain(field);
    });

    it(`the developer console refuses ${what}`, async () => {
      const browser = new BrowserSession(stack.server.issuer);
      await newSignedInAccount(browser, stack.sink);
      const page = await browser.post(
        '/developers/apps',
        { name: 'console app', kind: 'm2m', 'scope:vectors:read': 'on', ...extra },
        await browser.get('/developers'),
      );
      expect(page.status).to.equal(400);
      expect(page.html).to.contain(`${field} is not supported`);
      expect((await browser.get('/developers')).html, 'no app was made').not.to.contain('console app');
    });
  }

  it('RFC 7592 updates refuse them too, and leave the client as it was', async () => {
    const client = (await (await register(m2m)).json()) as {
      client_id: string;
      client_secret: string;
      registration_access_token: string;
      registration_client_uri: string;
    };
    const res = await fetch(client.registration_client_uri, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${client.registration_access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        ...m2m,
        client_id: client.client_id,
        client_secret: client.client_secret,
        software_statement: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.',
        colour_scheme: 'dark',
      }),
    });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).to.equal('invalid_client_metadata');
    expect(body.error_description).to.contain('software_statement').and.contain('colour_scheme');
    const stored = (await (
      await stack.server.admin('GET', `/admin/clients/${client.client_id}`)
    ).json()) as Record<string, unknown>;
    expect(stored).not.to.have.property('colour_scheme');
    expect(stored).not.to.have.property('software_statement');
  });

  it('names a few unknown fields, not thousands', async () => {
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`field_${i}`, i]));
    const res = await stack.server.admin('POST', '/admin/clients', { ...m2m, ...many });
    expect(res.status).to.equal(400);
    const { message } = (await res.json()) as { message: string };
    expect(message).to.contain('field_0').and.contain('1995 more');
    expect(message.length).to.be.below(500);
  });

  it('refuses server-chosen fields on the admin API, and first_party on the console', async () => {
    const chosen = await stack.server.admin('POST', '/admin/clients', { ...m2m, client_id: 'mine' });
    expect(chosen.status).to.equal(400);
    expect(await chosen.json()).to.include({ error: 'invalid_client_metadata' });
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const page = await browser.post(
      '/developers/apps',
      { name: 'trusted?', kind: 'm2m', 'scope:vectors:read': 'on', first_party: 'true' },
      await browser.get('/developers'),
    );
    expect(page.status).to.equal(400);
    expect(page.html).to.contain('first_party cannot be chosen');
  });

  it('keeps valid registrations working on every door', async () => {
    expect((await register(m2m)).status).to.equal(201);
    const admin = await stack.server.admin('POST', '/admin/clients', { ...m2m, first_party: true });
    expect(admin.status).to.equal(201);
    expect(await admin.json()).to.include({ first_party: true });
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const page = await browser.post(
      '/developers/apps',
      { name: 'fine', kind: 'web', redirect_uris: 'https://app.example/cb', 'scope:openid': 'on' },
      await browser.get('/developers'),
    );
    expect(page.status).to.equal(200);
    expect(page.html).to.contain('id="client-secret"');
  });
});
