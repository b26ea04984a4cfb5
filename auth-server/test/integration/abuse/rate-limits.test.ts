import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, newPkce, signIn, signUpVerified } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** A fresh client address per test (behind a trusted proxy), so buckets never mix across tests. */
const newIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('rate limits (shared through Redis)', function () {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_up' },
  ]);
  this.timeout(60_000);
  const stack = useAuthStack({
    env: {
      TRUST_PROXY: 'true',
      RATE_LIMIT_OAUTH_PER_CLIENT: '3',
      RATE_LIMIT_REGISTRATION_PER_IP: '2',
      RATE_LIMIT_FORMS_PER_IP: '30',
      RATE_LIMIT_MAILS_PER_ACCOUNT: '2',
    },
    smtp: true,
  });

  it('limits the token endpoint per client, with Retry-After and RateLimit-* headers', async () => {
    const a = await stack.server.createClient({
      client_name: 'a',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const b = await stack.server.createClient({
      client_name: 'b',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    for (let i = 0; i < 3; i++) {
      const ok = await stack.server.clientCredentialsToken(a);
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('ratelimit-limit')).to.equal('3');
      expect(ok.headers.get('ratelimit-remaining')).to.equal(String(2 - i));
    }
    const refused = await stack.server.clientCredentialsToken(a);
    expect(refused.status).to.equal(429);
    expect(Number(refused.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    expect(await refused.json()).to.include({ error: 'rate_limited' });
    expect((await stack.server.clientCredentialsToken(b)).status, 'another client is not affected').to.equal(
      200,
    );
    await stack.server.clientCredentialsToken(a);
    // The audit row is written after the answer: wait for it, then for nothing more.
    const hits = async () => {
      const audit = await stack.server.admin('GET', '/admin/audit?action=rate_limit.hit&limit=50');
      const { events } = (await audit.json()) as { events: { detail: { bucket: string } }[] };
      return events.filter((e) => e.detail.bucket.startsWith('oauth:client:'));
    };
    await waitFor('the rate-limit hit to be audited', async () => (await hits()).length > 0);
    expect(
      (await hits()).length,
      'the hit is audited once per bucket and window, not per refused request',
    ).to.equal(1);
  });

  it('does not let a caller with a wrong secret spend another client’s limit (client ids are public)', async () => {
    const victim = await stack.server.createClient({
      client_name: 'victim',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const attempt = (secret: string, ip: string) =>
      fetch(`${stack.server.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${victim.client_id}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': ip,
        },
        body: 'grant_type=client_credentials',
      });
    const attacker = newIp();
    for (let i = 0; i < 3; i++) expect((await attempt('wrong', attacker)).status).to.equal(401);
    expect((await attempt('wrong', attacker)).status, 'the attacker is limited').to.equal(429);
    const own = await attempt(victim.client_secret, newIp());
    expect(own.status, 'the client itself, from its own address, is not').to.equal(200);
  });

  it('answers malformed client credentials in the Basic header as OAuth errors, never a 5xx', async () => {
    for (const raw of ['%E0%A4%A:x', '%:%', 'no-colon', ':', '\u0000:\u0000', `${'a'.repeat(500)}:x`]) {
      const res = await fetch(`${stack.server.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(raw).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status, raw.slice(0, 12)).to.be.oneOf([400, 401, 429]);
      expect(await res.json()).to.have.property('error');
    }
  });

  it('limits registration per address', async () => {
    const ip = newIp();
    const post = () =>
      fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ip, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await post()).status).to.equal(401);
    expect((await post()).status).to.equal(401);
    expect((await post()).status).to.equal(429);
  });

  it('limits mails per account without revealing whether the account exists', async () => {
    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    for (const email of [`nobody-${randomUUID()}@example.com`]) {
      const form = await browser.get('/forgot-password');
      expect((await browser.post('/forgot-password', { email }, form)).status).to.equal(200);
      expect((await browser.post('/forgot-password', { email }, form)).status).to.equal(200);
      const third = await browser.post('/forgot-password', { email }, form);
      expect(third.status).to.equal(429);
      expect(third.html).to.contain('Too many messages');
      const other = await browser.post(
        '/forgot-password',
        { email: `other-${randomUUID()}@example.com` },
        form,
      );
      expect(other.status).to.equal(200);
    }
  });

  it('counts a path in another case or with a trailing slash in the same bucket (the routers serve it)', async () => {
    const c = await stack.server.createClient({
      client_name: 'c',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const token = (path: string) =>
      fetch(`${stack.server.issuer}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
    for (const path of ['/TOKEN', '/token/', '/Token/'])
      expect((await token(path)).status, path).to.equal(200);
    const refused = await token('/TOKEN/');
    expect(refused.status, 'the fourth token request of a client with a limit of 3').to.equal(429);

    const ip = newIp();
    const register = (path: string) =>
      fetch(`${stack.server.issuer}${path}`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ip, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await register('/REG')).status).to.equal(401);
    expect((await register('/reg/')).status).to.equal(401);
    expect((await register('/Reg')).status).to.equal(429);

    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const email = `case-${randomUUID()}@example.com`;
    const form = await browser.get('/forgot-password');
    expect((await browser.post('/Forgot-Password', { email }, form)).status).to.equal(200);
    expect((await browser.post('/forgot-password/', { email }, form)).status).to.equal(200);
    const third = await browser.post('/FORGOT-PASSWORD', { email }, form);
    expect(third.status).to.equal(429);
    expect(third.html).to.contain('Too many messages');
  });

  it('slows repeated failed sign-ins progressively, per address, without locking the owner out', async () => {
    const email = `slow-${randomUUID()}@example.com`;
    const password = 'the right passphrase';
    const attacker = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    await signUpVerified(attacker, stack.sink, email, password);
    const client = await stack.server.createClient({
      client_name: 'app',
      redirect_uris: ['https://app.example/cb'],
      scope: 'openid',
    });
    const start = async (browser: BrowserSession) => {
      const pkce = newPkce();
      return browser.get(
        authorizationRequest(
          { client_id: client.client_id, redirectUri: 'https://app.example/cb' },
          { scope: 'openid' },
          pkce,
        ),
      );
    };
    let page = await start(attacker);
    for (let i = 0; i < 5; i++) {
      const failed = await signIn(attacker, page, email, `wrong guess ${i}`);
      expect(failed.status, `failure ${i}`).to.equal(400);
      page = failed;
    }
    const slowed = await signIn(attacker, page, email, 'another guess');
    expect(slowed.status).to.equal(429);
    expect(slowed.html).to.contain('Too many failed sign-ins');

    // The owner, from another address, is not slowed by the attacker's failures.
    const owner = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const ownerDone = await signIn(owner, await start(owner), email, password);
    expect(ownerDone.status).to.equal(200);
    expect(ownerDone.html, 'signed in: the app asks for consent').to.contain('Allow access?');

    // And the attacker's own wait is short and bounded: after it, the right password works (an
    // attempt refused while waiting does not count as a failure, so trying again is harmless).
    // Each refusal says how long to wait (Retry-After): wait that, as a browser's user would;
    // hammering instead would spend this address's form budget.
    await waitFor(
      'the right password to work again from the slowed address',
      async () => {
        const done = await signIn(attacker, await start(attacker), email, password);
        if (done.status === 429) {
          const retryAfter = Number(attacker.responses.at(-1)?.headers.get('retry-after') ?? 1);
          await sleep(retryAfter * 1000);
        }
        return done.html.includes('Allow access?');
      },
      10_000,
    );
  });

  it('limits every page form per address, the developer console’s too', async () => {
    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const page = await browser.get('/signup');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await browser.post('/developers/initial-access-tokens', {}, page)).status);
    expect(
      statuses.slice(0, 30).every((s) => s !== 429),
      'under the limit',
    ).to.equal(true);
    expect(statuses[30]).to.equal(429);
  });

  it('limits form posts per address', async () => {
    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': newIp() });
    const form = await browser.get('/signup');
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++)
      statuses.push(
        (await browser.post('/signup', { email: `f${i}-${randomUUID()}@example.com`, password: 'x' }, form))
          .status,
      );
    expect(statuses.slice(0, 30).every((s) => s === 400)).to.equal(true);
    expect(statuses.slice(30)).to.deep.equal([429, 429]);
  });
});
