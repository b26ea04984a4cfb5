import { expect } from 'chai';
import { newEmail } from '../../support/accounts.ts';
import { runAdminCli } from '../../support/admin-cli.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

interface Listed {
  events: { id: string; at: string; action: string; outcome: string; [k: string]: unknown }[];
  next_before: string | null;
}

describe('audit trail: GET /admin/audit and `admin audit list`', () => {
  const stack = useAuthStack({ logs: 'info' });
  /** A client with four events (registered, then three secret rotations), oldest first. */
  let clientId: string;
  let eventIds: string[];
  let createdAt: string;

  before(async () => {
    const created = await stack.server.createClient({
      client_name: 'audit paging',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    clientId = created.client_id;
    for (let i = 0; i < 3; i++) await stack.server.admin('POST', `/admin/clients/${clientId}/secret`, {});
    const all = await list({ subject_id: clientId });
    eventIds = all.events.map((e) => e.id).reverse();
    createdAt = all.events.at(-1)!.at;
  });

  async function list(query: Record<string, string>, status = 200): Promise<Listed> {
    const res = await stack.server.admin('GET', `/admin/audit?${new URLSearchParams(query)}`);
    expect(res.status, JSON.stringify(query)).to.equal(status);
    return (await res.json()) as Listed;
  }

  it('needs the admin token and is not on the public port', async () => {
    expect((await fetch(`${stack.server.adminUrl}/admin/audit`)).status).to.equal(401);
    expect((await stack.server.admin('GET', '/admin/audit', undefined, 'x'.repeat(40))).status).to.equal(401);
    const onPublic = await fetch(`${stack.server.issuer}/admin/audit`, {
      headers: { authorization: `Bearer ${stack.server.config.admin.token}` },
    });
    expect(onPublic.status).to.equal(404);
  });

  it('answers every column of each event, newest first', async () => {
    const { events, next_before } = await list({ subject_id: clientId });
    expect(events.map((e) => e.action)).to.deep.equal([
      'client.secret_rotated',
      'client.secret_rotated',
      'client.secret_rotated',
      'client.registered',
    ]);
    expect(next_before).to.equal(null);
    expect(events[3]).to.have.all.keys(
      'id',
      'at',
      'action',
      'outcome',
      'actor_type',
      'actor_id',
      'subject_type',
      'subject_id',
      'client_id',
      'ip',
      'request_id',
      'user_agent',
      'detail',
    );
    expect(events[3]).to.include({
      outcome: 'success',
      actor_type: 'admin',
      subject_type: 'client',
      subject_id: clientId,
      client_id: clientId,
    });
    expect(new Date(events[3]!.at).toISOString()).to.equal(events[3]!.at);
  });

  it('filters by action, actor, client, outcome and time', async () => {
    const registered = await list({ action: 'client.registered', client_id: clientId });
    expect(registered.events.map((e) => e.id)).to.deep.equal([eventIds[0]]);

    const m2m = await stack.server.createClient({
      client_name: 'audit actor',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const { access_token } = (await (
      await stack.server.clientCredentialsToken(m2m, { scope: 'vectors:read' })
    ).json()) as { access_token: string };
    await fetch(`${stack.server.issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${m2m.client_id}:${m2m.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: access_token }),
    });
    const byActor = await list({ actor_id: m2m.client_id });
    expect(byActor.events.map((e) => e.action)).to.deep.equal(['token.revoked']);
    const asClient = await list({ actor_type: 'client', actor_id: m2m.client_id });
    expect(asClient.events).to.have.length(1);

    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('audit-weak');
    await browser.post('/signup', { email, password: 'short' }, await browser.get('/signup'));
    const failures = await list({ outcome: 'failure', action: 'user.sign_up', limit: '500' });
    expect(failures.events.every((e) => e.outcome === 'failure' && e.action === 'user.sign_up')).to.equal(
      true,
    );
    expect(failures.events.some((e) => (e.detail as { email?: string }).email === email)).to.equal(true);
    expect((await list({ outcome: 'success', subject_id: clientId })).events).to.have.length(4);

    expect((await list({ subject_id: clientId, since: createdAt })).events).to.have.length(4);
    expect((await list({ subject_id: clientId, until: createdAt })).events).to.have.length(1);
    expect((await list({ subject_id: clientId, until: '2000-01-01' })).events).to.deep.equal([]);
    expect((await list({ subject_id: clientId, since: '2999-01-01T00:00:00+02:00' })).events).to.deep.equal(
      [],
    );
  });

  it('pages newest first with limit and the next_before cursor', async () => {
    const first = await list({ subject_id: clientId, limit: '3' });
    expect(first.events.map((e) => e.id)).to.deep.equal(eventIds.slice(1).reverse());
    expect(first.next_before).to.equal(eventIds[1]);
    const second = await list({ subject_id: clientId, limit: '3', before: first.next_before! });
    expect(second.events.map((e) => e.id)).to.deep.equal([eventIds[0]]);
    expect(second.next_before).to.equal(null);

    const unfiltered = await list({});
    expect(unfiltered.events.length).to.be.at.most(100);
    const ids = unfiltered.events.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id < ids[i - 1]!)).to.equal(true);
  });

  it('refuses bad filters with 400', async () => {
    const bad: Record<string, string>[] = [
      { action: 'user.nope' },
      { outcome: 'maybe' },
      { actor_type: 'robot' },
      { since: 'yesterday' },
      { until: '2024-13-45T00:00:00Z' },
      { since: '2025-01-02', until: '2025-01-01' },
      { limit: '0' },
      { limit: '501' },
      { limit: 'ten' },
      { before: 'abc' },
      { before: '-1' },
      { subject_id: '' },
      { subject: clientId },
    ];
    for (const query of bad) {
      const body = await list(query, 400);
      expect(body).to.include({ error: 'invalid_request' });
    }
    const repeated = await stack.server.admin('GET', '/admin/audit?action=user.sign_in&action=user.sign_up');
    expect(repeated.status).to.equal(400);
  });

  it('lists from the operator CLI with --subject, --action and --limit', async () => {
    const cli = (...args: string[]) =>
      runAdminCli({ ADMIN_URL: stack.server.adminUrl, ADMIN_TOKEN: stack.server.config.admin.token }, args);
    const listed = await cli(
      'audit',
      'list',
      '--subject',
      clientId,
      '--action',
      'client.secret_rotated',
      '--limit',
      '2',
      '--format',
      'json',
    );
    expect(listed.code, listed.stderr).to.equal(0);
    const page = JSON.parse(listed.stdout) as Listed;
    expect(page.events.map((e) => e.id)).to.deep.equal([eventIds[3], eventIds[2]]);
    expect(page.next_before).to.equal(eventIds[2]);
    // For people: a table, newest first, and how to see older events.
    const table = await cli(
      'audit',
      'list',
      '--subject',
      clientId,
      '--action',
      'client.secret_rotated',
      '--limit',
      '2',
    );
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^id +at \(UTC\) +action +outcome +actor +subject +client$/);
    expect(lines.slice(2, 4).map((l) => l.split(/ {3,}/)[0])).to.deep.equal([eventIds[3], eventIds[2]]);
    expect(lines[2]).to.contain('client.secret_rotated');
    expect(lines.at(-1)).to.equal(`older events: --before ${eventIds[2]}`);
    const bad = await cli('audit', 'list', '--outcome', 'maybe');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('400');
  });
});
