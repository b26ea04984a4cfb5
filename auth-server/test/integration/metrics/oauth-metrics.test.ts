import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { startRedis } from '../../../../scripts/lib/backing-services.ts';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { metricValue, waitFor } from '../../../../shared/test/support/wait-for.ts';
import {
  accountRow,
  createAppClient,
  newSignedInAccount,
  obtainTokens,
  openDatabase,
  refresh,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';
import { testEnv } from '../../support/test-env.ts';

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
  let sink: SmtpSink;
  let server: TestAuthServer;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(dataDir, () => undefined, redisPort);
    sink = await startSmtpSink();
    server = await startTestAuthServer({
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      RATE_LIMIT_OAUTH_PER_CLIENT: '5',
    });
  });
  after(async () => {
    await server?.close();
    await sink?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metrics = async () => (await server.admin('GET', '/metrics')).text();
  const value = async (sample: string) => metricValue(await metrics(), sample);
  /** Runs `act` and returns by how much each sample moved. */
  async function moved(samples: string[], act: () => Promise<void>): Promise<Record<string, number>> {
    const before = await metrics();
    await act();
    const after = await metrics();
    return Object.fromEntries(samples.map((s) => [s, metricValue(after, s) - metricValue(before, s)]));
  }
  const machine = () =>
    server.createClient({ client_name: 'm2m', grant_types: ['client_credentials'], scope: 'vectors:read' });
  const basic = (c: { client_id: string; client_secret: string }) =>
    `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const form = (path: string, body: Record<string, string>, authorization?: string) =>
    fetch(`${server.issuer}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization ? { authorization } : {}),
      },
      body: new URLSearchParams(body),
    });

  it('labels every OAuth endpoint with its name, never "unmatched"', async () => {
    const client = await machine();
    const token = ((await (await server.clientCredentialsToken(client)).json()) as { access_token: string })
      .access_token;
    const calls: [string, () => Promise<Response>][] = [
      ['discovery', () => fetch(`${server.issuer}/.well-known/openid-configuration`)],
      ['jwks', () => fetch(`${server.issuer}/jwks`)],
      ['token', () => server.clientCredentialsToken(client)],
      ['introspection', () => form('/token/introspection', { token }, basic(client))],
      ['revocation', () => form('/token/revocation', { token: 'not-a-token' }, basic(client))],
      ['registration', () => form('/reg', {})],
      ['userinfo', () => fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${token}` } })],
      ['authorization', () => fetch(`${server.issuer}/auth?client_id=${client.client_id}`)],
      ['end_session', () => fetch(`${server.issuer}/session/end`)],
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
    const app = await createAppClient(server);
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
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
        expect((await server.clientCredentialsToken(client)).status).to.equal(200);
        const tokens = await obtainTokens(server, browser, app, { email });
        expect((await refresh(server, app, tokens.refresh_token)).status).to.equal(200);
        expect((await server.clientCredentialsToken({ ...client, client_secret: 'wrong' })).status).to.equal(
          401,
        );
        expect((await form('/token', { grant_type: 'password' }, basic(client))).status).to.equal(400);
        expect((await refresh(server, app, 'no-such-refresh-token')).status).to.equal(400);
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

  it('counts revocations by scope: one token, a grant, a person, a client', async () => {
    const client = await machine();
    const app = await createAppClient(server);
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const tokens = await obtainTokens(server, browser, app, { email });
    const accessToken = (
      (await (await server.clientCredentialsToken(client)).json()) as { access_token: string }
    ).access_token;
    const db = openDatabase();
    const user = await accountRow(db, email).finally(() => db.end());
    expect(user, 'the account exists').to.not.equal(undefined);
    const scopes = ['token', 'grant', 'subject', 'client'].map(
      (s) => `oauth_revocations_total{scope="${s}"}`,
    );
    const delta = await moved(scopes, async () => {
      expect((await form('/token/revocation', { token: accessToken }, basic(client))).status).to.equal(200);
      const appAuth = basic(app);
      expect((await form('/token/revocation', { token: tokens.refresh_token }, appAuth)).status).to.equal(
        200,
      );
      expect((await server.admin('POST', `/admin/users/${user!.id}/disable`, {})).status).to.be.below(300);
      expect((await server.admin('DELETE', `/admin/clients/${client.client_id}`)).status).to.be.below(300);
    });
    for (const s of scopes) expect(delta[s], s).to.be.at.least(1);
  });

  it('counts rate-limit hits by limit', async () => {
    const client = await machine();
    const delta = await moved(['rate_limit_hits_total{limit="oauth:client"}'], async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await server.clientCredentialsToken(client)).status);
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
      const refused = await server.clientCredentialsToken(client);
      expect(refused.status).to.equal(503);
      expect(await value(sample)).to.equal(before + 1);
    } finally {
      redis = await startRedis(dataDir, () => undefined, redisPort);
    }
    await waitFor('tokens again', async () => (await server.clientCredentialsToken(client)).status === 200);
  });
});
