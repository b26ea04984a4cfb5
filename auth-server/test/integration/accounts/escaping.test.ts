import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { authorize, newSignedInAccount, PASSWORD } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest, signIn } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const HOSTILE_NAME = `<script>alert("x")</script><img src=x onerror='alert(1)'> & Co`;
const ESCAPED_NAME =
  '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; Co';
const PAYLOAD = '"><script>alert(1)</script>';

/** No markup from the attacker survives: neither the tags nor an attribute break-out. */
function expectInert(page: Page) {
  // The scripts a page has are our own files ("Show password", passkeys); nothing echoed is one.
  const ours =
    /<script src="\/static\/(?:show-password|passkeys|simplewebauthn-browser)\.js" defer><\/script>/g;
  expect(page.html.replace(ours, '')).not.to.contain('<script');
  expect(page.html).not.to.contain('<img');
  expect(page.html).not.to.match(/onerror=(?!&#39;)/);
}

describe('escaping: client names, e-mail addresses and echoed input are shown as text', () => {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' }]);
  const stack = useAuthStack({ smtp: true, appClient: { client_name: HOSTILE_NAME } });

  const start = (browser: BrowserSession, extra: Record<string, string> = {}) =>
    browser.get(authorizationRequest(stack.client, extra));

  it('on the sign-in and consent pages, with an address containing an apostrophe', async () => {
    const email = `it's-${randomUUID()}@example.com`;
    const setup = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(setup, stack.sink, email);

    const browser = new BrowserSession(stack.server.issuer);
    const login = await start(browser);
    expect(login.html).to.contain(ESCAPED_NAME);
    expectInert(login);
    const consentPage = await signIn(browser, login, email, PASSWORD);
    expect(consentPage.html).to.contain('Allow access?');
    expect(consentPage.html).to.contain(ESCAPED_NAME);
    expect(consentPage.html).to.contain(`Signed in as <strong>it&#39;s-`);
    expectInert(consentPage);
  });

  it('in the connected apps on the account page, including the Revoke button label', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = `o'brien-${randomUUID()}@example.com`;
    await newSignedInAccount(browser, stack.sink, email);
    await authorize(browser, stack.client, { email });
    const page = await browser.get('/account');
    expect(page.html).to.contain(`<td data-label="App">${ESCAPED_NAME}</td>`);
    expect(page.html).to.contain(`aria-label="Revoke access for ${ESCAPED_NAME}"`);
    expect(page.html).to.contain('o&#39;brien-');
    expectInert(page);
  });

  it('on the sign-out page', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const page = await browser.get(`/session/end?client_id=${stack.client.client_id}`);
    expect(page.status).to.equal(200);
    expect(page.html).to.contain(ESCAPED_NAME);
    expectInert(page);
  });

  it('echoed form input: sign-in, sign-up and forgot-password e-mail fields', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const login = await start(browser);
    const signedIn = await signIn(browser, login, PAYLOAD, 'whatever password');
    expect(signedIn.status).to.equal(400);
    expect(signedIn.html).to.contain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expectInert(signedIn);

    for (const path of ['/signup', '/forgot-password']) {
      const res = await browser.post(path, { email: PAYLOAD, password: PASSWORD }, await browser.get(path));
      expect(res.status, path).to.equal(400);
      expect(res.html, path).to.contain('&quot;&gt;&lt;script&gt;');
      expectInert(res);
    }
  });

  it('reflected link tokens and error descriptions', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    for (const path of ['/verify-email', '/reset-password']) {
      const page = await browser.get(`${path}?token=${encodeURIComponent(PAYLOAD)}`);
      expect(page.html, path).to.contain('&quot;&gt;&lt;script&gt;');
      expectInert(page);
    }
    const error = await browser.get(`/auth?client_id=${encodeURIComponent(PAYLOAD)}&response_type=code`);
    expect(error.status).to.equal(400);
    expectInert(error);
  });
});
