import { expect } from 'chai';
import type pg from 'pg';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  authorize,
  countModels,
  createAppClient,
  newSignedInAccount,
  obtainTokens,
  openDatabase,
  PASSWORD,
  type TestClient,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizeUrl, consent, newPkce, signIn } from '../../support/code-flow.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';

describe('consent: denied, remembered per grant, asked again for more, never for first-party apps', () => {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit consent.denied' }]);
  let sink: SmtpSink;
  let server: TestAuthServer;
  let db: pg.Pool;
  let client: TestClient;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestAuthServer({ SMTP_URL: sink.url });
    db = openDatabase();
    client = await createAppClient(server);
  });
  after(async () => {
    await server.close();
    await sink.close();
    await db.end();
  });

  const start = (browser: BrowserSession, c: TestClient, scope: string, state: string) =>
    browser.get(
      authorizeUrl({
        client_id: c.client_id,
        redirect_uri: c.redirectUri,
        scope,
        state,
        code_challenge: newPkce().challenge,
        code_challenge_method: 'S256',
      }),
    );

  it('denied consent sends access_denied (with state and iss) to the registered redirect_uri, and grants nothing', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const page = await start(browser, client, 'openid vectors:read', 'state-123');
    expect(page.html).to.contain('Allow access?');
    const back = await consent(browser, page, 'deny');
    expect(back.leftTo!.origin + back.leftTo!.pathname).to.equal(client.redirectUri);
    expect(back.leftTo!.searchParams.get('error')).to.equal('access_denied');
    expect(back.leftTo!.searchParams.get('state')).to.equal('state-123');
    expect(back.leftTo!.searchParams.get('iss')).to.equal(server.issuer);
    expect(back.leftTo!.searchParams.get('code')).to.equal(null);
    const account = (await accountRow(db, email))!;
    expect(await countModels(db, 'Grant', account.id, client.client_id)).to.equal(0);

    const again = await start(browser, client, 'openid vectors:read', 'state-456');
    expect(again.html, 'a denial is not remembered as consent').to.contain('Allow access?');
  });

  it('any decision but "allow" is a denial', async () => {
    const browser = new BrowserSession(server.issuer);
    await newSignedInAccount(browser, sink);
    for (const decision of ['', 'ALLOW', 'allow ', 'yes']) {
      const page = await start(browser, client, 'openid vectors:read', 's');
      const action = /action="([^"]+\/consent)"/.exec(page.html)![1]!;
      const back = await browser.post(action, { decision }, page);
      expect(back.leftTo?.searchParams.get('error'), JSON.stringify(decision)).to.equal('access_denied');
    }
  });

  it('"Cancel and return to the app" on the sign-in page sends access_denied', async () => {
    const browser = new BrowserSession(server.issuer);
    const page = await start(browser, client, 'openid', 'cancel-state');
    const abort = /href="(\/interaction\/[^"]+\/abort)"/.exec(page.html)![1]!;
    const back = await browser.get(abort);
    expect(back.leftTo!.origin + back.leftTo!.pathname).to.equal(client.redirectUri);
    expect(back.leftTo!.searchParams.get('error')).to.equal('access_denied');
    expect(back.leftTo!.searchParams.get('state')).to.equal('cancel-state');
  });

  it('remembers consent for the grant; asks again, for the new scope only, when the app wants more', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const first = await authorize(browser, client, { email, scope: 'openid vectors:read' });
    expect(first.sawConsent).to.equal(true);
    const second = await authorize(browser, client, { email, scope: 'openid vectors:read' });
    expect(second.sawConsent, 'same scopes: no second consent').to.equal(false);
    const fewer = await authorize(browser, client, { email, scope: 'openid' });
    expect(fewer.sawConsent, 'fewer scopes: no consent').to.equal(false);

    const more = await start(browser, client, 'openid vectors:read vectors:write', 'more');
    expect(more.html).to.contain('Allow access?');
    expect(more.html).to.contain('Create collections and add or change vectors in them');
    expect(more.html, 'only what is new is asked').not.to.contain('Read your vector collections');
    const back = await consent(browser, more, 'allow');
    expect(back.leftTo?.searchParams.get('code')).to.be.a('string');
    const account = (await accountRow(db, email))!;
    expect(await countModels(db, 'Grant', account.id, client.client_id), 'the same grant grew').to.equal(1);

    const after = await authorize(browser, client, { email, scope: 'openid vectors:read vectors:write' });
    expect(after.sawConsent).to.equal(false);
  });

  it("one app's consent is never another app's", async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    await authorize(browser, client, { email, scope: 'openid vectors:read' });
    const other = await createAppClient(server, { client_name: 'Other App' });
    const page = await start(browser, other, 'openid vectors:read', 's');
    expect(page.html).to.contain('Allow access?');
    expect(page.html).to.contain('Other App');
  });

  it('a first-party app never shows consent: first time, more scopes, offline access with prompt=consent', async () => {
    const firstParty = await createAppClient(server, { client_name: 'Our Own App', first_party: true });
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const first = await authorize(browser, firstParty, { email, scope: 'openid vectors:read' });
    expect(first.sawConsent).to.equal(false);
    const more = await authorize(browser, firstParty, { email, scope: 'openid vectors:read vectors:write' });
    expect(more.sawConsent, 'asking for more scopes').to.equal(false);
    const offline = await authorize(browser, firstParty, {
      email,
      scope: 'openid offline_access vectors:read',
      prompt: 'consent',
    });
    expect(offline.sawConsent, 'offline_access (needs prompt=consent)').to.equal(false);
    const tokens = await obtainTokens(server, browser, firstParty, { email });
    expect(tokens.refresh_token).to.be.a('string');

    const fresh = new BrowserSession(server.issuer);
    const login = await start(fresh, firstParty, 'openid vectors:read', 's');
    const back = await signIn(fresh, login, email, PASSWORD);
    expect(back.leftTo?.searchParams.get('code'), 'straight from sign-in to the app').to.be.a('string');
  });
});
