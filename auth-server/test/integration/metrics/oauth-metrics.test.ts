import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { startRedis } from '../../../../scripts/lib/backing-services.ts';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { metricValue, waitFor } from '../../../../shared/test/support/wait-for.ts';
import {
  accountRow,
  authorize,
  createAppClient,
  newSignedInAccount,
  obtainTokens,
  refresh,
  revokableGrants,
  submit,
  type TestClient,
  type Tokens,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { confirmLogout, redeem } from '../../support/code-flow.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('/metrics: OAuth endpoints by name, and the counters operators alert on', function () {
  this.timeout(60_000);
  expectLogLines([
    // The audit record of the rate-limit hit (written after the answer, so expected suite-wide).
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit' },
    // The last test stops this server's Redis on purpose; whether the client sees the refused
    // connection before Redis is back depends on timing.
    { service: 'auth-server', level: 'warn', msg: 'redis connection problem', optional: true },
  ]);
  const dataDir = resolve(testEnv().dataDir, `oauth-metrics-${process.pid}`);
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let redisPort: number;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(dataDir, () => undefined, redisPort);
  });
  const stack = useAuthStack({
    env: () => ({ REDIS_URL: redis.url, RATE_LIMIT_OAUTH_PER_CLIENT: '5' }),
    smtp: true,
    db: true,
  });
  after(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metrics = async () => (await stack.server.admin('GET', '/metrics')).text();
  const value = async (sample: string) => metricValue(await metrics(), sample);
  /** Runs `act` and returns by how much each sample moved. */
  async function moved(samples: string[], act: () => Promise<void>): Promise<Record<string, number>> {
    const before = await metrics();
    await act();
    const after = await metrics();
    return Object.fromEntries(samples.map((s) => [s, metricValue(after, s) - metricValue(before, s)]));
  }
  const machine = () =>
    stack.server.createClient({
      client_name: 'm2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
  const basic = (c: { client_id: string; client_secret: string }) =>
    `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const form = (path: string, body: Record<string, string>, authorization?: string) =>
    fetch(`${stack.server.issuer}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization ? { authorization } : {}),
      },
      body: new URLSearchParams(body),
    });

  it('labels every OAuth endpoint with its name, never "unmatched"', async () => {
    const client = await machine();
    const token = (
      (await (await stack.server.clientCredentialsToken(client)).json()) as { access_token: string }
    ).access_token;
    const calls: [string, () => Promise<Response>][] = [
      ['discovery', () => fetch(`${stack.server.issuer}/.well-known/openid-configuration`)],
      ['jwks', () => fetch(`${stack.server.issuer}/jwks`)],
      ['token', () => stack.server.clientCredentialsToken(client)],
      ['introspection', () => form('/token/introspection', { token }, basic(client))],
      ['revocation', () => form('/token/revocation', { token: 'not-a-token' }, basic(client))],
      ['registration', () => form('/reg', {})],
      [
        'userinfo',
        () => fetch(`${stack.server.issuer}/me`, { headers: { authorization: `Bearer ${token}` } }),
      ],
      ['authorization', () => fetch(`${stack.server.issuer}/auth?client_id=${client.client_id}`)],
      ['end_session', () => fetch(`${stack.server.issuer}/session/end`)],
    ];
    const before = await metrics();
    for (const [, call] of calls) expect((await call()).status).to.be.below(500);
    const after = await metrics();
    for (const [route] of calls) {
      const delta = metricValue(after, `http_requests_total{route="${route}"}`);
      expect(delta - metricValue(before, `http_requests_total{route="${route}"}`), route).to.be.at.least(1);
    }
    const unmatched = 'http_requests_total{route="unmatched"}';
    expect(metricValue(after, unmatched) - metricValue(before, unmatched)).to.equal(0);
  });

  it('counts tokens issued by grant type and token errors by error code', async () => {
    const client = await machine();
    const app = await createAppClient(stack.server);
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const delta = await moved(
      [
        'oauth_tokens_issued_total{grant_type="client_credentials"}',
        'oauth_tokens_issued_total{grant_type="authorization_code"}',
        'oauth_tokens_issued_total{grant_type="refresh_token"}',
        'oauth_token_errors_total{error="invalid_client"}',
        'oauth_token_errors_total{error="unsupported_grant_type"}',
        'oauth_token_errors_total{error="invalid_grant"}',
      ],
      async () => {
        expect((await stack.server.clientCredentialsToken(client)).status).to.equal(200);
        const tokens = await obtainTokens(stack.server, browser, app, { email });
        expect((await refresh(stack.server, app, tokens.refresh_token)).status).to.equal(200);
        expect(
          (await stack.server.clientCredentialsToken({ ...client, client_secret: 'wrong' })).status,
        ).to.equal(401);
        expect((await form('/token', { grant_type: 'password' }, basic(client))).status).to.equal(400);
        expect((await refresh(stack.server, app, 'no-such-refresh-token')).status).to.equal(400);
      },
    );
    expect(delta).to.deep.equal({
      'oauth_tokens_issued_total{grant_type="client_credentials"}': 1,
      'oauth_tokens_issued_total{grant_type="authorization_code"}': 1,
      'oauth_tokens_issued_total{grant_type="refresh_token"}': 1,
      'oauth_token_errors_total{error="invalid_client"}': 1,
      'oauth_token_errors_total{error="unsupported_grant_type"}': 1,
      'oauth_token_errors_total{error="invalid_grant"}': 1,
    });
  });

  /** Runs `act` and returns how much each `oauth_revocations_total` series moved, as `"<scope> <source>"`. */
  async function revocationsMoved(act: () => Promise<void>): Promise<Record<string, number>> {
    const series = (text: string) => {
      const found = new Map<string, number>();
      for (const m of text.matchAll(/^oauth_revocations_total\{(.*)\} (\S+)$/gm)) {
        const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1];
        found.set(`${label('scope')} ${label('source')}`, Number(m[2]));
      }
      return found;
    };
    const before = series(await metrics());
    await act();
    const after = series(await metrics());
    return Object.fromEntries(
      [...after]
        .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const)
        .filter(([, delta]) => delta !== 0),
    );
  }
  /** Every series that moved names `source`; answers the counts by scope. */
  const onlyFrom = (delta: Record<string, number>, source: string) => {
    expect(
      Object.keys(delta).filter((k) => !k.endsWith(` ${source}`)),
      `only ${source} moved`,
    ).to.deep.equal([]);
    return Object.fromEntries(Object.entries(delta).map(([k, n]) => [k.split(' ')[0]!, n]));
  };
  const redeemCode = (app: TestClient, code: { code: string; verifier: string }) =>
    redeem(stack.server, app, {
      grant_type: 'authorization_code',
      code: code.code,
      redirect_uri: app.redirectUri,
      code_verifier: code.verifier,
    });
  const tokensOf = async (res: Response) => {
    expect(res.status, await res.clone().text()).to.equal(200);
    return (await res.json()) as Tokens;
  };

  it('counts revocations at the OAuth endpoints by source: RFC 7009, code and refresh-token reuse, logout', async () => {
    const client = await machine();
    // One app per cause: this server allows each client only 5 OAuth requests a minute.
    const app = await createAppClient(stack.server);
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const accessToken = (
      (await (await stack.server.clientCredentialsToken(client)).json()) as { access_token: string }
    ).access_token;

    // RFC 7009: one access token, then a refresh token (its grant).
    expect(
      await revocationsMoved(async () => {
        expect((await form('/token/revocation', { token: accessToken }, basic(client))).status).to.equal(200);
      }),
    ).to.deep.equal({ 'token rfc7009': 1 });
    const revocable = await obtainTokens(stack.server, browser, app, { email });
    expect(
      await revocationsMoved(async () => {
        const res = await form('/token/revocation', { token: revocable.refresh_token }, basic(app));
        expect(res.status).to.equal(200);
      }),
    ).to.deep.equal({ 'grant rfc7009': 1 });

    // An authorization code redeemed twice: the second redemption revokes the grant.
    const codeApp = await createAppClient(stack.server);
    const code = await authorize(browser, codeApp, { email, prompt: 'consent' });
    await tokensOf(await redeemCode(codeApp, code));
    expect(
      await revocationsMoved(async () => {
        expect((await redeemCode(codeApp, code)).status).to.equal(400);
      }),
    ).to.deep.equal({ 'grant code_reuse': 1 });

    // A refresh token presented again once its successor was used: reuse, the family goes.
    const refreshApp = await createAppClient(stack.server);
    const first = await obtainTokens(stack.server, browser, refreshApp, { email });
    const second = await tokensOf(await refresh(stack.server, refreshApp, first.refresh_token));
    await tokensOf(await refresh(stack.server, refreshApp, second.refresh_token));
    expect(
      await revocationsMoved(async () => {
        expect((await refresh(stack.server, refreshApp, first.refresh_token)).status).to.equal(400);
      }),
    ).to.deep.equal({ 'grant refresh_reuse': 1 });

    // RP-initiated logout: the session's grants (without offline_access) go with it.
    const bye = `https://bye-${randomBytes(4).toString('hex')}.example`;
    const rp = {
      ...(await stack.server.createClient({
        client_name: 'RP',
        redirect_uris: [`${bye}/cb`],
        post_logout_redirect_uris: [`${bye}/out`],
        scope: 'openid email',
      })),
      redirectUri: `${bye}/cb`,
    };
    const signedIn = await authorize(browser, rp, { scope: 'openid email', email });
    const { id_token } = (await tokensOf(await redeemCode(rp, signedIn))) as Tokens & { id_token: string };
    const logout = onlyFrom(
      await revocationsMoved(async () => {
        const confirm = await browser.get(
          `/session/end?${new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: `${bye}/out` })}`,
        );
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)?.[1];
        expect(xsrf, confirm.html).to.be.a('string');
        const res = await confirmLogout(browser, confirm, xsrf!);
        expect(res.status, await res.text()).to.equal(303);
      }),
      'logout',
    );
    expect(logout.grant).to.be.at.least(1);
  });

  it("counts revocations of a person's tokens by source: app disconnected, sign out everywhere, password reset, user disabled", async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);

    // The person disconnects the app on the account page, then signs out everywhere.
    const connectedApp = await createAppClient(stack.server);
    const connected = await obtainTokens(stack.server, browser, connectedApp, { email });
    const grantId = JSON.parse(Buffer.from(connected.access_token.split('.')[1]!, 'base64url').toString())
      .grant_id as string;
    expect(
      await revocationsMoved(async () => {
        const account = await browser.get('/account');
        expect(revokableGrants(account)).to.include(grantId);
        await submit(browser, account, /apps\/revoke$/, { grant: grantId, confirmed: 'yes' });
      }),
    ).to.deep.equal({ 'grant app_disconnected': 1 });
    await obtainTokens(stack.server, browser, connectedApp, { email });
    const everywhere = onlyFrom(
      await revocationsMoved(async () => {
        await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, { confirmed: 'yes' });
      }),
      'sign_out_everywhere',
    );
    expect(everywhere.subject).to.equal(1);
    expect(everywhere.grant, "the app's grant and the account page's").to.be.at.least(1);

    // A password reset, then the admin disabling the person.
    const other = new BrowserSession(stack.server.issuer);
    const { email: otherEmail } = await newSignedInAccount(other, stack.sink);
    const reset = onlyFrom(
      await revocationsMoved(async () => {
        await other.post('/forgot-password', { email: otherEmail }, await other.get('/forgot-password'));
        const mail = await stack.sink.waitFor(otherEmail, /Reset your password/);
        const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/reset-password`));
        const page = await other.get(link.pathname + link.search);
        const done = await other.post(
          '/reset-password',
          { token: link.searchParams.get('token')!, password: 'a brand new passphrase' },
          page,
        );
        expect(done.status, done.html).to.be.below(400);
      }),
      'password_reset',
    );
    expect(reset.subject).to.equal(1);
    const user = await accountRow(stack.db, otherEmail);
    expect(user, 'the account exists').to.not.equal(undefined);
    expect(
      onlyFrom(
        await revocationsMoved(async () => {
          expect((await stack.server.admin('POST', `/admin/users/${user!.id}/disable`, {})).status).to.equal(
            204,
          );
        }),
        'user_disabled',
      ).subject,
    ).to.equal(1);
  });

  it('counts client-wide revocations by source: secret rotated with revoke_tokens, client deleted', async () => {
    const app = await createAppClient(stack.server);
    const client = await machine();
    expect(
      await revocationsMoved(async () => {
        const res = await stack.server.admin('POST', `/admin/clients/${app.client_id}/secret`, {
          revoke_tokens: true,
        });
        expect(res.status).to.equal(200);
      }),
    ).to.deep.equal({ 'client client_secret_rotated': 1 });
    expect(
      await revocationsMoved(async () => {
        expect((await stack.server.admin('DELETE', `/admin/clients/${client.client_id}`)).status).to.equal(
          204,
        );
      }),
    ).to.deep.equal({ 'client client_deleted': 1 });
  });

  it('counts rate-limit hits by limit', async () => {
    const client = await machine();
    const delta = await moved(['rate_limit_hits_total{limit="oauth:client"}'], async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await stack.server.clientCredentialsToken(client)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
    });
    expect(delta['rate_limit_hits_total{limit="oauth:client"}']).to.equal(1);
  });

  it('counts the 503s a Redis outage causes, by dependency', async () => {
    const client = await machine();
    const sample = 'dependency_unavailable_total{dependency="redis"}';
    const before = await value(sample);
    await redis.stop();
    try {
      const refused = await stack.server.clientCredentialsToken(client);
      expect(refused.status).to.equal(503);
      expect(await value(sample)).to.equal(before + 1);
    } finally {
      redis = await startRedis(dataDir, () => undefined, redisPort);
    }
    await waitFor(
      'tokens again',
      async () => (await stack.server.clientCredentialsToken(client)).status === 200,
    );
  });
});
