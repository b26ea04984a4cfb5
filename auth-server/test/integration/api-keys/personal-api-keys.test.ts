import { apiKeyHash, createApiKeyRecords } from '@vectorauth/shared';
import type { RunningVectorApi } from '@vectorauth/vector-api';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  createAppClient,
  eventually,
  newSignedInAccount,
  obtainTokens,
  PASSWORD,
  signInToAccount,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { signIn } from '../../support/code-flow.ts';
import { startVectorApiFor } from '../../support/in-process-vector-api.ts';
import { ageSessions } from '../../support/session-age.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const KEY = /vak_[0-9A-Za-z]{42}/;

/**
 * Personal API keys end to end: made on the account page (after a recent sign-in), shown once,
 * accepted by the vector API as the person with the key's scopes, listed with their last use,
 * and refused at every vector-api instance on the next request once revoked, expired, or their
 * account is gone.
 */
describe('personal API keys', function () {
  // Refused on purpose, and audited with a warn line each: the read-only key's write (403) and the
  // revocations of keys that are not the caller's.
  expectLogLines([
    { service: 'vector-api', level: 'warn', msg: 'permission denied' },
    { service: 'auth-server', level: 'warn', msg: 'audit api_key.revoked' },
  ]);
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, db: true, vectorApi: true });
  let second: RunningVectorApi;
  before(async () => {
    second = await startVectorApiFor(stack.server);
  });
  after(() => second?.close());

  const call = (api: { url: string }, key: string, method = 'GET', body?: unknown) =>
    fetch(`${api.url}/v1/collections`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const statusAt = async (api: { url: string }, key: string) => (await call(api, key)).status;

  async function person() {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    return { browser, email };
  }

  async function createKey(
    browser: BrowserSession,
    fields: Record<string, string> = { name: 'nightly import', 'scope:vectors:read': 'on', expires: '30' },
  ): Promise<{ page: Page; key?: string }> {
    const keys = await browser.get('/account/api-keys');
    expect(keys.status, keys.html).to.equal(200);
    const page = await submit(browser, keys, /\/account\/api-keys$/, fields);
    return { page, key: KEY.exec(page.html)?.[0] };
  }

  const keyIds = (page: Page) =>
    [...page.html.matchAll(/name="key" value="([^"]+)"/g)].map((m) => m[1] as string);

  it('shows a new key once, in a recognisable format, and stores only its fingerprint', async () => {
    const { browser } = await person();
    const { page, key } = await createKey(browser);
    expect(page.status, page.html).to.equal(200);
    expect(key, page.html).to.match(KEY);
    const rows = await stack.db.query('select hash, display_prefix from api_key where display_prefix = $1', [
      key?.slice(0, 12),
    ]);
    expect(rows.rows).to.have.length(1);
    expect(JSON.stringify(rows.rows)).to.not.contain(key);
    const list = await browser.get('/account/api-keys');
    expect(list.html)
      .to.contain('nightly import')
      .and.contain(`${key?.slice(0, 12)}…`);
    expect(list.html, 'never shown again').to.not.contain(key);
  });

  it('acts as the person, with the scopes of the key and no more', async () => {
    const { browser, email } = await person();
    const { key: writer } = await createKey(browser, {
      name: 'writer',
      'scope:vectors:read': 'on',
      'scope:vectors:write': 'on',
      expires: '7',
    });
    const { key: reader } = await createKey(browser);
    const name = `keyed-${Date.now()}`;
    const created = await call(stack.api, writer as string, 'POST', { name, dimension: 2, metric: 'l2' });
    expect(created.status, await created.clone().text()).to.equal(201);
    const refused = await call(stack.api, reader as string, 'POST', { name: `${name}-2`, dimension: 2 });
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('www-authenticate')).to.contain('insufficient_scope');
    // The person's own access token (through an app) sees the collection the key made: one principal.
    const app = await createAppClient(stack.server);
    const tokens = await obtainTokens(stack.server, browser, app, {
      email,
      scope: 'openid offline_access vectors:read',
    });
    const listed = await call(stack.api, tokens.access_token);
    const names = ((await listed.json()) as { collections: { name: string }[] }).collections.map(
      (c) => c.name,
    );
    expect(names).to.include(name);
  });

  it('refuses a key wider than what a person holds, and makes none', async () => {
    const { browser } = await person();
    const before = await stack.db.query('select count(*)::int as n from api_key');
    const { page, key } = await createKey(browser, { name: 'root', 'scope:admin': 'on', expires: '30' });
    expect(page.status).to.equal(400);
    expect(page.html).to.contain('cannot have admin');
    expect(key).to.equal(undefined);
    const invalid: Record<string, string>[] = [
      { name: '', 'scope:vectors:read': 'on', expires: '30' },
      { name: 'x', expires: '30' },
      { name: 'x', 'scope:vectors:read': 'on', expires: '100000' },
      { name: 'x'.repeat(61), 'scope:vectors:read': 'on', expires: '30' },
    ];
    for (const fields of invalid) {
      expect((await createKey(browser, fields)).page.status, JSON.stringify(fields)).to.equal(400);
    }
    const after = await stack.db.query('select count(*)::int as n from api_key');
    expect(after.rows[0].n).to.equal(before.rows[0].n);
  });

  it('needs a recent sign-in to create one: an old session is sent to sign in again, then may', async () => {
    const { browser, email } = await person();
    const account = (await accountRow(stack.db, email)) as { id: string };
    await ageSessions(stack.db, account.id, 3600);
    const stale = await browser.get('/account/api-keys');
    expect(stale.html).to.contain('Sign in again to create a key');
    expect(stale.html).to.not.contain('action="/account/api-keys"');
    // Posting the form anyway (from an old tab, or forged) is refused.
    const forged = await browser.post(
      '/account/api-keys',
      { name: 'sneaky', 'scope:vectors:read': 'on', expires: '30' },
      await browser.get('/account'), // a CSRF token of this browser
    );
    expect(forged.status).to.equal(403);
    expect(KEY.test(forged.html)).to.equal(false);
    const again = await browser.get('/account/api-keys/confirm-identity');
    expect(again.html, 'asks for the password even though signed in').to.contain('name="password"');
    const back = await signIn(browser, again, email, PASSWORD);
    expect(back.url).to.contain('/account/api-keys');
    expect(back.html).to.contain('action="/account/api-keys"');
    expect((await createKey(browser)).key).to.match(KEY);
  });

  it('a revoked key is refused at two vector-api instances on their next request', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    const other = (await createKey(browser, { name: 'other', 'scope:vectors:read': 'on', expires: '30' }))
      .key;
    // Both instances have the key in memory now.
    expect(await statusAt(stack.api, key as string)).to.equal(200);
    expect(await statusAt(second, key as string)).to.equal(200);
    const list = await browser.get('/account/api-keys');
    expect(list.html).to.match(/Last used<\/th>/);
    const [newest] = keyIds(list); // newest first: "other"
    const target = keyIds(list)[1] as string;
    expect(newest).to.not.equal(target);
    const confirm = await submit(browser, list, /\/account\/api-keys\/revoke$/, { key: target });
    expect(confirm.html).to.contain('Revoke the API key &quot;nightly import&quot;?');
    expect(await statusAt(stack.api, key as string), 'not before confirming').to.equal(200);
    const done = await submit(browser, confirm, /\/account\/api-keys\/revoke$/, {
      key: target,
      confirmed: 'yes',
    });
    expect(done.html).to.contain('The API key was revoked');
    expect(await statusAt(stack.api, key as string)).to.equal(401);
    expect(await statusAt(second, key as string)).to.equal(401);
    expect(await statusAt(second, other as string), 'the other key still works').to.equal(200);
  });

  it('another person cannot revoke my key by its id, and a made-up id is no error', async () => {
    const mine = await person();
    const { key } = await createKey(mine.browser);
    const [id] = keyIds(await mine.browser.get('/account/api-keys'));
    const thief = await person();
    const page = await thief.browser.get('/account/api-keys');
    for (const target of [id as string, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const done = await thief.browser.post(
        '/account/api-keys/revoke',
        { key: target, confirmed: 'yes' },
        page,
      );
      expect(done.status, done.html).to.equal(200);
      expect(done.html).to.contain('already revoked or has expired');
    }
    expect(await statusAt(stack.api, key as string)).to.equal(200);
  });

  it('shows when each key was last used', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    const before = await browser.get('/account/api-keys');
    expect(before.html).to.match(/data-label="Last used">never</);
    expect(await statusAt(stack.api, key as string)).to.equal(200);
    // The use is told to Redis just after the request is answered: wait for it to show.
    await eventually(async () => {
      const after = await browser.get('/account/api-keys');
      return /data-label="Last used">\d{4}-\d\d-\d\d \d\d:\d\d UTC</.test(after.html) || undefined;
    }, 'the key shown as used');
  });

  it('an expired key is refused at two vector-api instances from the second it expires', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    // The same key as the auth server would publish one made to live two seconds (pages offer days).
    const redis = new Redis(testEnv().redisUrl);
    try {
      const records = createApiKeyRecords(redis);
      const record = await records.find(apiKeyHash(key as string));
      if (!record) throw new Error('the key was not published');
      const exp = Math.floor(Date.now() / 1000) + 2;
      await records.publish(apiKeyHash(key as string), { ...record, exp });
      expect(await statusAt(stack.api, key as string)).to.equal(200);
      expect(await statusAt(second, key as string)).to.equal(200);
      while (Date.now() < exp * 1000) await new Promise((r) => setTimeout(r, 50)); // the expiry itself
      expect(await statusAt(stack.api, key as string)).to.equal(401);
      expect(await statusAt(second, key as string)).to.equal(401);
    } finally {
      redis.disconnect();
    }
  });

  it('an operator revokes a leaked key by its value (a secret scanner reported it), whoever owns it', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    expect(await statusAt(second, key as string)).to.equal(200);
    const res = await stack.server.admin('POST', '/admin/api-keys/revoke', { key });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { revoked: boolean; owner_kind: string };
    expect(body).to.include({ revoked: true, owner_kind: 'account' });
    expect(await statusAt(stack.api, key as string)).to.equal(401);
    expect(await statusAt(second, key as string)).to.equal(401);
    expect((await browser.get('/account/api-keys')).html).to.contain('Revoked');
    expect((await stack.server.admin('POST', '/admin/api-keys/revoke', { key })).status, 'once').to.equal(
      404,
    );
    expect((await stack.server.admin('POST', '/admin/api-keys/revoke', { key: 'vak_nope' })).status).to.equal(
      404,
    );
    expect((await stack.server.admin('POST', '/admin/api-keys/revoke', { value: key })).status).to.equal(400);
  });

  it('a key Redis lost is refused until Postgres publishes it again, never accepted unchecked', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    const redis = new Redis(testEnv().redisUrl);
    try {
      await redis.del(`ak:${apiKeyHash(key as string)}`); // as if Redis came back empty
      expect(await statusAt(second, key as string)).to.equal(401);
      const res = await stack.server.admin('POST', '/admin/api-keys/republish');
      expect(res.status).to.equal(200);
      expect(((await res.json()) as { published: number }).published).to.be.at.least(1);
      // An unknown key is remembered as unknown for a few seconds: the other instance never asked.
      expect(await statusAt(stack.api, key as string)).to.equal(200);
    } finally {
      redis.disconnect();
    }
  });

  it("deleting the person's account kills their keys at every instance", async () => {
    const { browser, email } = await person();
    const { key } = await createKey(browser);
    expect(await statusAt(stack.api, key as string)).to.equal(200);
    expect(await statusAt(second, key as string)).to.equal(200);
    const account = (await accountRow(stack.db, email)) as { id: string };
    expect((await stack.server.admin('DELETE', `/admin/users/${account.id}`)).status).to.equal(204);
    expect(await statusAt(stack.api, key as string)).to.equal(401);
    expect(await statusAt(second, key as string)).to.equal(401);
  });

  it('a lookalike, a key with a broken checksum and an unknown key are refused as invalid_token', async () => {
    const { browser } = await person();
    const { key } = await createKey(browser);
    const real = key as string;
    const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    const unknown = `vak_${'A'.repeat(36)}`; // right length, wrong checksum
    for (const bad of [flipped, unknown, 'vak_', `${real}x`]) {
      const res = await call(stack.api, bad);
      expect(res.status, bad).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.contain('invalid_token');
    }
    const dpop = await fetch(`${stack.api.url}/v1/collections`, {
      headers: { authorization: `DPoP ${real}` },
    });
    expect(dpop.status, 'a key is a bearer credential only').to.equal(401);
  });

  it('the account page links to the API keys; signed out, the keys page asks to sign in', async () => {
    const { email } = await person();
    const account = await signInToAccount(new BrowserSession(stack.server.issuer), email);
    expect(account.html).to.contain('href="/account/api-keys"');
    const stranger = await new BrowserSession(stack.server.issuer).get('/account/api-keys');
    expect(stranger.html).to.contain('action="/interaction/');
  });
});
