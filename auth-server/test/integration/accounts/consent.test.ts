import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  authorize,
  countModels,
  createAppClient,
  newSignedInAccount,
  obtainTokens,
  PASSWORD,
  type TestClient,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, consent, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('consent: denied, remembered per grant, asked again for more, never for first-party apps', () => {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit consent.denied' }]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  const start = (browser: BrowserSession, c: TestClient, scope: string, state: string) =>
    browser.get(authorizationRequest(c, { scope, state }));

  it('denied consent sends access_denied (with state and iss) to the registered redirect_uri, and grants nothing', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const page = await start(browser, stack.client, 'openid vectors:read', 'state-123');
    expect(page.html).to.contain('Allow access?');
    const back = await consent(browser, page, 'deny');
    expect(back.leftTo!.origin + back.leftTo!.pathname).to.equal(stack.client.redirectUri);
    expect(back.leftTo!.searchParams.get('error')).to.equal('access_denied');
    expect(back.leftTo!.searchParams.get('state')).to.equal('state-123');
    expect(back.leftTo!.searchParams.get('iss')).to.equal(stack.server.issuer);
    expect(back.leftTo!.searchParams.get('code')).to.equal(null);
    const account = (await accountRow(stack.db, email))!;
    expect(await countModels(stack.db, 'Grant', account.id, stack.client.client_id)).to.equal(0);

    const again = await start(browser, stack.client, 'openid vectors:read', 'state-456');
    expect(again.html, 'a denial is not remembered as consent').to.contain('Allow access?');
  });

  it('any decision but "allow" is a denial', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    for (const decision of ['', 'ALLOW', 'allow ', 'yes']) {
      const page = await start(browser, stack.client, 'openid vectors:read', 's');
      const action = /action="([^"]+\/consent)"/.exec(page.html)![1]!;
      const back = await browser.post(action, { decision }, page);
      expect(back.leftTo?.searchParams.get('error'), JSON.stringify(decision)).to.equal('access_denied');
    }
  });

  it('"Cancel and return to the app" on the sign-in page sends access_denied', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await start(browser, stack.client, 'openid', 'cancel-state');
    const abort = /href="(\/interaction\/[^"]+\/abort)"/.exec(page.html)![1]!;
    const back = await browser.get(abort);
    expect(back.leftTo!.origin + back.leftTo!.pathname).to.equal(stack.client.redirectUri);
    expect(back.leftTo!.searchParams.get('error')).to.equal('access_denied');
    expect(back.leftTo!.searchParams.get('state')).to.equal('cancel-state');
  });

  it('remembers consent for the grant; asks again, for the new scope only, when the app wants more', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const first = await authorize(browser, stack.client, { email, scope: 'openid vectors:read' });
    expect(first.sawConsent).to.equal(true);
    const second = await authorize(browser, stack.client, { email, scope: 'openid vectors:read' });
    expect(second.sawConsent, 'same scopes: no second consent').to.equal(false);
    const fewer = await authorize(browser, stack.client, { email, scope: 'openid' });
    expect(fewer.sawConsent, 'fewer scopes: no consent').to.equal(false);

    const more = await start(browser, stack.client, 'openid vectors:read vectors:write', 'more');
    expect(more.html).to.contain('Allow access?');
    expect(more.html).to.contain('Create collections and add or change vectors in them');
    expect(more.html, 'only what is new is asked').not.to.contain('Read your vector collections');
    const back = await consent(browser, more, 'allow');
    expect(back.leftTo?.searchParams.get('code')).to.be.a('string');
    const account = (await accountRow(stack.db, email))!;
    expect(
      await countModels(stack.db, 'Grant', account.id, stack.client.client_id),
      'the same grant grew',
    ).to.equal(1);

    const after = await authorize(browser, stack.client, {
      email,
      scope: 'openid vectors:read vectors:write',
    });
    expect(after.sawConsent).to.equal(false);
  });

  it("one app's consent is never another app's", async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    await authorize(browser, stack.client, { email, scope: 'openid vectors:read' });
    const other = await createAppClient(stack.server, { client_name: 'Other App' });
    const page = await start(browser, other, 'openid vectors:read', 's');
    expect(page.html).to.contain('Allow access?');
    expect(page.html).to.contain('Other App');
  });

  it('a first-party app never shows consent: first time, more scopes, offline access with prompt=consent', async () => {
    const firstParty = await createAppClient(stack.server, { client_name: 'Our Own App', first_party: true });
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
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
    const tokens = await obtainTokens(stack.server, browser, firstParty, { email });
    expect(tokens.refresh_token).to.be.a('string');

    const fresh = new BrowserSession(stack.server.issuer);
    const login = await start(fresh, firstParty, 'openid vectors:read', 's');
    const back = await signIn(fresh, login, email, PASSWORD);
    expect(back.leftTo?.searchParams.get('code'), 'straight from sign-in to the app').to.be.a('string');
  });
});
