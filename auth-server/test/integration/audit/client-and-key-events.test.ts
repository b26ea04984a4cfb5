import { expect } from 'chai';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import { type KeyInfo, listKeys, publishedLongAgo, resetKeys, useResetKeys } from '../keys/key-helpers.ts';
import { loggedEvent, newRequestId, theEvent, who } from './audit-support.ts';

describe('audit trail: clients and signing keys', () => {
  const stack = useAuthStack({ smtp: true, db: true, logs: 'info' });

  useResetKeys(stack);

  /** An admin API call and the request id the server gave it. */
  async function admin(method: string, path: string, body?: unknown) {
    const res = await stack.server.admin(method, path, body);
    expect(res.status, `${method} ${path}`).to.be.lessThan(300);
    const text = await res.text();
    return { body: text ? JSON.parse(text) : undefined, requestId: res.headers.get('x-request-id')! };
  }

  const byAdmin = (clientId: string) => ({
    outcome: 'success',
    actor_type: 'admin',
    actor_id: null,
    subject_type: 'client',
    subject_id: clientId,
  });

  it('records clients registered, updated, re-keyed and deleted through the admin API', async () => {
    const created = await admin('POST', '/admin/clients', {
      client_name: 'audited job',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const id = created.body.client_id as string;
    const registered = await theEvent(stack.db, created.requestId, 'client.registered');
    expect(who(registered)).to.deep.equal(byAdmin(id));
    expect(registered.client_id).to.equal(id);
    expect(registered.detail).to.deep.equal({ via: 'admin', first_party: false });
    expect(loggedEvent(stack.logs, created.requestId, 'client.registered')).to.equal(true);

    const patched = await admin('PATCH', `/admin/clients/${id}`, { first_party: true });
    expect((await theEvent(stack.db, patched.requestId, 'client.updated')).detail).to.deep.equal({
      via: 'admin',
      first_party: true,
    });
    const rotated = await admin('POST', `/admin/clients/${id}/secret`, { revoke_tokens: true });
    expect(who(await theEvent(stack.db, rotated.requestId, 'client.secret_rotated'))).to.deep.equal(
      byAdmin(id),
    );
    const deleted = await admin('DELETE', `/admin/clients/${id}`);
    expect(who(await theEvent(stack.db, deleted.requestId, 'client.deleted'))).to.deep.equal(byAdmin(id));
  });

  it('records apps registered, re-keyed and deleted in the developer console, by their owner', async () => {
    const headers: Record<string, string> = {};
    const browser = new BrowserSession(stack.server.issuer, headers);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const { rows } = await stack.db.query('select id from account where email = $1', [email]);
    const owner = rows[0].id as string;
    const byOwner = (clientId: string) => ({
      outcome: 'success',
      actor_type: 'user',
      actor_id: owner,
      subject_type: 'client',
      subject_id: clientId,
    });

    headers['x-request-id'] = newRequestId('console-create');
    const created = await browser.post(
      '/developers/apps',
      { name: 'Console app', kind: 'm2m', redirect_uris: '', 'scope:vectors:read': 'on' },
      await browser.get('/developers'),
    );
    const clientId = /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(created.html)![1]!;
    const registered = await theEvent(stack.db, headers['x-request-id'], 'client.registered');
    expect(who(registered)).to.deep.equal(byOwner(clientId));
    expect(registered.detail).to.deep.equal({ via: 'console', kind: 'm2m' });

    const app = await browser.get(`/developers/apps/${clientId}`);
    headers['x-request-id'] = newRequestId('console-rotate');
    await browser.post(`/developers/apps/${clientId}/secret`, {}, app);
    expect(who(await theEvent(stack.db, headers['x-request-id'], 'client.secret_rotated'))).to.deep.equal(
      byOwner(clientId),
    );

    headers['x-request-id'] = newRequestId('console-delete');
    await browser.post(`/developers/apps/${clientId}/delete`, { confirmed: 'yes' }, app);
    expect(who(await theEvent(stack.db, headers['x-request-id'], 'client.deleted'))).to.deep.equal(
      byOwner(clientId),
    );
  });

  it('records RFC 7591 registration and RFC 7592 update and deletion', async () => {
    const { body } = await admin('POST', '/admin/initial-access-tokens', { expires_in: 600 });
    const registerId = newRequestId('dcr');
    const res = await fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${body.initial_access_token}`,
        'content-type': 'application/json',
        'x-request-id': registerId,
      },
      body: JSON.stringify({
        client_name: 'dcr',
        grant_types: ['client_credentials'],
        scope: 'vectors:read',
      }),
    });
    expect(res.status).to.equal(201);
    const client = (await res.json()) as {
      client_id: string;
      registration_access_token: string;
      registration_client_uri: string;
    };
    const registered = await theEvent(stack.db, registerId, 'client.registered');
    expect(who(registered)).to.deep.equal({
      outcome: 'success',
      actor_type: 'anonymous',
      actor_id: null,
      subject_type: 'client',
      subject_id: client.client_id,
    });
    expect(registered.detail).to.deep.equal({ via: 'dcr' });

    const byClient = {
      outcome: 'success',
      actor_type: 'client',
      actor_id: client.client_id,
      subject_type: 'client',
      subject_id: client.client_id,
    };
    const updateId = newRequestId('dcr-update');
    const updated = await fetch(client.registration_client_uri, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${client.registration_access_token}`,
        'content-type': 'application/json',
        'x-request-id': updateId,
      },
      body: JSON.stringify({
        client_id: client.client_id,
        client_name: 'dcr renamed',
        grant_types: ['client_credentials'],
        scope: 'vectors:read',
      }),
    });
    expect(updated.status, await updated.clone().text()).to.equal(200);
    expect(who(await theEvent(stack.db, updateId, 'client.updated'))).to.deep.equal(byClient);
    const { registration_access_token: rotatedToken } = (await updated.json()) as {
      registration_access_token: string;
    };

    const deleteId = newRequestId('dcr-delete');
    const deleted = await fetch(client.registration_client_uri, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${rotatedToken}`, 'x-request-id': deleteId },
    });
    expect(deleted.status).to.equal(204);
    expect(who(await theEvent(stack.db, deleteId, 'client.deleted'))).to.deep.equal(byClient);
  });

  it('records signing keys staged, promoted, retired and revoked', async () => {
    await resetKeys(stack.server);
    const byAdmin = (kid: string) => ({
      outcome: 'success',
      actor_type: 'admin',
      actor_id: null,
      subject_type: 'key',
      subject_id: kid,
    });
    const oldCurrent = (await listKeys(stack.server)).find((k) => k.status === 'current')!;

    const staged = await admin('POST', '/admin/keys/rotate', {});
    const next = staged.body.key as KeyInfo;
    const rotated = await theEvent(stack.db, staged.requestId, 'key.rotated');
    expect(who(rotated)).to.deep.equal(byAdmin(next.kid));
    expect(rotated.detail).to.deep.equal({ alg: next.alg, status: 'next' });

    await publishedLongAgo(next.kid);
    const promoted = await admin('POST', `/admin/keys/${next.kid}/promote`, {});
    const promotion = await theEvent(stack.db, promoted.requestId, 'key.promoted');
    expect(who(promotion)).to.deep.equal(byAdmin(next.kid));
    expect(promotion.detail).to.deep.equal({ retired: oldCurrent.kid });

    const another = (await admin('POST', '/admin/keys/rotate', {})).body.key as KeyInfo;
    const retired = await admin('POST', `/admin/keys/${another.kid}/retire`, {});
    expect(who(await theEvent(stack.db, retired.requestId, 'key.retired'))).to.deep.equal(
      byAdmin(another.kid),
    );

    const revoked = await admin('POST', `/admin/keys/${oldCurrent.kid}/revoke`, {});
    const revocation = await theEvent(stack.db, revoked.requestId, 'key.revoked');
    expect(who(revocation)).to.deep.equal(byAdmin(oldCurrent.kid));
    expect(revocation.detail).to.deep.equal({ current: next.kid });
  });
});
