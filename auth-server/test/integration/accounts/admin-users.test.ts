import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  accountRow,
  countModels,
  newSignedInAccount,
  obtainTokens,
  refresh,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

interface UserList {
  users: Record<string, unknown>[];
  total: number;
  offset: number;
  limit: number;
}

describe('admin users API: list, disable, delete', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  it('lists users with paging, and never their password hashes', async () => {
    const { email } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
    const first = (await (await stack.server.admin('GET', '/admin/users?limit=1')).json()) as UserList;
    expect(first).to.include({ offset: 0, limit: 1 });
    // Oldest first: the account just made is on the last page.
    const offset = Math.max(0, first.total - 200);
    const res = await stack.server.admin('GET', `/admin/users?limit=200&offset=${offset}`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as UserList;
    expect(body).to.include({ offset, limit: 200 });
    const listed = body.users.find((u) => u.email === email);
    expect(listed).to.include({ email_verified: true, disabled: false });
    expect(listed!.id).to.match(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.to.match(/password|\$2[aby]\$/i);

    const one = (await (await stack.server.admin('GET', '/admin/users?limit=1&offset=1')).json()) as UserList;
    expect(one.users).to.have.length(body.total > 1 ? 1 : 0);
    expect(one).to.include({ limit: 1, offset: 1, total: body.total });
  });

  for (const query of [
    'limit=0',
    'limit=-1',
    'limit=201',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'offset=-1',
    'offset=x',
    'limit=1&limit=2',
  ]) {
    it(`refuses bad paging: ?${query} -> 400`, async () => {
      const res = await stack.server.admin('GET', `/admin/users?${query}`);
      expect(res.status).to.equal(400);
      expect(await res.json()).to.have.property('error');
    });
  }

  for (const [what, id] of [
    ['an unknown id', randomUUID()],
    ['a malformed id', 'not-a-uuid'],
    ['an injection attempt', "1' or '1'='1"],
  ] as const) {
    it(`disable and delete answer 404 for ${what}`, async () => {
      const disable = await stack.server.admin('POST', `/admin/users/${encodeURIComponent(id)}/disable`);
      expect(disable.status).to.equal(404);
      expect(await disable.json()).to.include({ error: 'not_found' });
      const del = await stack.server.admin('DELETE', `/admin/users/${encodeURIComponent(id)}`);
      expect(del.status).to.equal(404);
    });
  }

  it('disabling shows in the list, ends sessions and grants, and stops refreshes', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const { id } = (await accountRow(stack.db, email))!;

    expect((await stack.server.admin('POST', `/admin/users/${id}/disable`)).status).to.equal(204);
    expect((await stack.server.admin('POST', `/admin/users/${id}/disable`)).status, 'idempotent').to.equal(
      204,
    );
    expect(
      (await stack.db.query('select disabled from account where id = $1', [id])).rows[0].disabled,
    ).to.equal(true);
    expect(await countModels(stack.db, 'Session', id)).to.equal(0);
    expect(await countModels(stack.db, 'Grant', id)).to.equal(0);
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
    expect((await browser.get('/account')).html).not.to.contain('Connected apps');
  });

  it('deleting removes the account, its sessions, grants and tokens; refresh fails', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const { id } = (await accountRow(stack.db, email))!;

    const res = await stack.server.admin('DELETE', `/admin/users/${id}`);
    expect(res.status).to.equal(204);
    expect(await accountRow(stack.db, email)).to.equal(undefined);
    expect(await countModels(stack.db, 'Session', id)).to.equal(0);
    expect(await countModels(stack.db, 'Grant', id)).to.equal(0);
    expect(await countModels(stack.db, 'RefreshToken', id)).to.equal(0);
    const tokenRows = await stack.db.query('select 1 from email_token where account_id = $1', [id]);
    expect(tokenRows.rowCount, 'e-mail tokens go with the account').to.equal(0);
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
    expect((await browser.get('/account')).html).not.to.contain('Connected apps');
    expect((await stack.server.admin('DELETE', `/admin/users/${id}`)).status, 'already gone').to.equal(404);
  });

  it('is not reachable on the public port nor without the admin token', async () => {
    const id = randomUUID();
    expect((await fetch(`${stack.server.issuer}/admin/users`)).status).to.equal(404);
    const res = await fetch(`${stack.server.adminUrl}/admin/users/${id}/disable`, { method: 'POST' });
    expect(res.status).to.equal(401);
  });
});
