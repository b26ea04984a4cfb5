import { expect } from 'chai';
import type pg from 'pg';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import {
  createAppClient,
  newEmail,
  newSignedInAccount,
  obtainTokens,
  refresh,
  type TestClient,
  type Tokens,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { type ScratchPostgres, startScratchPostgres } from '../../support/scratch-postgres.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

type Client = { client_id: string; client_secret: string };

/** A request that must answer (10 s stands for "never a hang": the timeouts answer in seconds). */
const call = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });

describe('Postgres outage: 503 everywhere, in each endpoint’s format, and recovery', function () {
  // The auth server here logs to the test's own logger (checked below); the vector API to the sink.
  expectLogLines([
    { service: 'vector-api', level: 'warn', msg: 'database unavailable' },
    // Its event consumer may meet a pending principal.deleted event (another instance's, claimed
    // after it idled) while the database is away: it says so and retries it later.
    {
      service: 'vector-api',
      level: 'error',
      msg: 'principal events: handling failed; will retry',
      optional: true,
    },
  ]);
  this.timeout(120_000);
  let pgServer: ScratchPostgres;
  let m2m: Client;
  let accessToken: string;

  before(async () => {
    pgServer = await startScratchPostgres('outage');
  });
  const stack = useAuthStack({
    env: () => ({ DATABASE_URL: pgServer.authUrl }),
    smtp: true,
    vectorApi: () => ({ VECTOR_DATABASE_URL: pgServer.vectorUrl }),
    logs: 'warn',
  });
  before(async () => {
    m2m = await stack.server.createClient({
      client_name: 'outage m2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
    accessToken = await tokenNow();
  });
  after(() => pgServer?.close());

  async function tokenNow(): Promise<string> {
    const res = await stack.server.clientCredentialsToken(m2m, { scope: 'vectors:read vectors:write' });
    expect(res.status, await res.clone().text()).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const authorizeUrl = (client: Client) =>
    `${stack.server.issuer}/auth?${new URLSearchParams({
      client_id: client.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://app.example/cb',
    })}`;
  const collections = () =>
    call(`${stack.api.url}/v1/collections`, { headers: { authorization: `Bearer ${accessToken}` } });

  /**
   * A client this instance does not hold in memory: its lookup needs Postgres. (`m2m` is held in
   * memory, issue 14's client cache; nothing about a client can change while Postgres is away, so
   * it keeps getting tokens, as with oidc-provider's static clients.)
   */
  const coldClient = () =>
    stack.server.createClient({
      client_name: 'cold m2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
  const clientCredentials = (client: Client) =>
    call(`${stack.server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read' }),
    });

  /** Every surface answers 503 with Retry-After, each in its own format (asked all at once). */
  async function expectUnavailableEverywhere(
    signupForm: {
      browser: BrowserSession;
      page: Awaited<ReturnType<BrowserSession['get']>>;
    },
    cold: Client,
  ) {
    const [token, authPage, signup, admin, vectors, warm, ...readiness] = await Promise.all([
      clientCredentials(cold),
      call(authorizeUrl(cold), { headers: { accept: 'text/html' } }),
      signupForm.browser.post(
        '/signup',
        { email: `outage-${Date.now()}@example.com`, password: 'correct horse battery staple' },
        signupForm.page,
      ),
      stack.server.admin('GET', '/admin/clients'),
      collections(),
      clientCredentials(m2m),
      call(`${stack.server.issuer}/readyz`),
      call(`${stack.api.url}/readyz`),
    ]);

    expect(token.status, '/token').to.equal(503);
    expect(token.headers.get('retry-after')).to.equal('1');
    expect(await token.json()).to.include({ error: 'temporarily_unavailable' });

    // The client cannot be looked up, so there is no redirect_uri to trust: oidc-provider's error page.
    expect(authPage.status, '/auth').to.equal(503);
    expect(authPage.headers.get('retry-after')).to.equal('1');
    expect(authPage.headers.get('content-type')).to.match(/^text\/html/);
    expect(await authPage.text()).to.contain('temporarily_unavailable');

    expect(signup.status, 'the sign-up page').to.equal(503);
    expect(signup.html).to.contain('<html').and.to.contain('the database is unavailable');

    expect(admin.status, 'admin API').to.equal(503);
    expect(admin.headers.get('retry-after')).to.equal('1');
    expect(await admin.json()).to.deep.equal({
      error: 'service_unavailable',
      message: 'the database is unavailable; retry shortly',
    });

    expect(vectors.status, 'vector API').to.equal(503);
    expect(vectors.headers.get('retry-after')).to.equal('1');
    expect(await vectors.json()).to.include({ error: 'service_unavailable' });

    expect(warm.status, 'a client held in memory').to.equal(200);

    for (const ready of readiness) {
      expect(ready.status, ready.url).to.equal(503);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks).to.include({
        postgres: 'unavailable',
      });
    }
  }

  async function expectRecovered(): Promise<void> {
    await waitFor(
      '/token',
      async () => (await stack.server.clientCredentialsToken(m2m, { scope: 'vectors:read' })).status === 200,
      30_000,
    );
    await waitFor('the vector API', async () => (await collections()).status === 200, 30_000);
    expect((await stack.server.admin('GET', '/admin/clients')).status).to.equal(200);
    for (const base of [stack.server.issuer, stack.api.url]) {
      await waitFor(`${base}/readyz`, async () => (await call(`${base}/readyz`)).status === 200, 30_000);
    }
  }

  const signupPage = async () => {
    const browser = new BrowserSession(stack.server.issuer, { accept: 'text/html' });
    return { browser, page: await browser.get('/signup') };
  };

  it('Postgres stopped: 503 with Retry-After on /token, /auth, a page, the admin API and the vector API; back by itself', async () => {
    expect((await collections()).status).to.equal(200);
    const form = await signupPage();
    const cold = await coldClient();
    await tokenNow();
    await pgServer.stop();
    try {
      await expectUnavailableEverywhere(form, cold);
    } finally {
      await pgServer.start();
    }
    await expectRecovered();
  });

  it('a table held by an exclusive lock: the same fast 503s and a not-ready /readyz, until it is released', async () => {
    const form = await signupPage();
    const cold = await coldClient();
    await tokenNow();
    const holders: pg.Client[] = [];
    for (const [url, tables] of [
      [pgServer.authUrl, 'oidc_model, account, signing_key'],
      [pgServer.vectorUrl, 'collection, vector_record'],
    ] as const) {
      const holder = await pgServer.connect(url);
      await holder.query('begin');
      await holder.query(`lock table ${tables} in access exclusive mode`);
      holders.push(holder);
    }
    try {
      await expectUnavailableEverywhere(form, cold);
    } finally {
      for (const holder of holders) {
        await holder.query('rollback');
        await holder.end();
      }
    }
    await expectRecovered();
    // An outage is a warning with its code, never an error line with a stack.
    const logged = stack.logs.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logged.filter((l) => l.level >= 50)).to.deep.equal([]);
    expect(logged.some((l) => l.msg === 'database unavailable')).to.equal(true);
  });

  it('Postgres stopped while 30 refreshes are in flight: every family keeps a usable refresh token', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink, newEmail('in-flight'));
    const families: { client: TestClient; tokens: Tokens }[] = [];
    for (let i = 0; i < 30; i++) {
      const client = await createAppClient(stack.server);
      families.push({ client, tokens: await obtainTokens(stack.server, browser, client, { email }) });
    }

    const answers = families.map(({ client, tokens }) =>
      refresh(stack.server, client, tokens.refresh_token).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as Partial<Tokens> & { error?: string },
      })),
    );
    await pgServer.stop();
    const settled = await Promise.all(answers);
    await pgServer.start();
    await expectRecovered();

    for (const [i, { client, tokens }] of families.entries()) {
      const answer = settled[i]!;
      expect([200, 503], JSON.stringify(answer.body)).to.include(answer.status);
      // Whoever got an answer goes on with the new token; whoever did not, with the old one.
      const next = answer.status === 200 ? answer.body.refresh_token! : tokens.refresh_token;
      const res = await refresh(stack.server, client, next);
      expect(res.status, `family ${i} (${answer.status}): ${await res.clone().text()}`).to.equal(200);
    }
  });
});
