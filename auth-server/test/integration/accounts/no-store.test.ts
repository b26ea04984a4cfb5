import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { newEmail, PASSWORD } from '../../support/accounts.ts';
import { BrowserSession, formAction } from '../../support/browser-session.ts';
import {
  authorizationRequest,
  consent,
  newPkce,
  redeem,
  signIn,
  signUpVerified,
} from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * Nothing that carries a code, a token or a sign-in form may be kept by a browser or a proxy
 * cache: every page, every redirect of the sign-in and consent flow (the answer to the sign-in
 * POST included), every form re-rendered with an error, the token endpoint and the
 * authorization redirect answer `Cache-Control: no-store`.
 */
describe('Cache-Control: no-store on every answer carrying a code, a token or a form', function () {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_up' },
  ]);
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, appClient: true });

  /** Every response `browser` received, except the stylesheet, that does not say no-store. */
  const cacheable = (browser: BrowserSession) =>
    browser.responses
      .filter((r) => !r.url.endsWith('/static/style.css'))
      .filter((r) => !/\bno-store\b/.test(r.headers.get('cache-control') ?? ''))
      .map(
        (r) => `${r.method} ${new URL(r.url).pathname} -> ${r.status} (${r.headers.get('cache-control')})`,
      );

  it('the whole code flow: sign-up, sign-in (wrong then right password), consent, code redirect, token', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('nostore');
    const signup = await browser.get('/signup');
    const tooShort = await browser.post('/signup', { email, password: 'x' }, signup);
    expect(tooShort.html).to.contain('action="/signup"'); // the form again, with an error
    await signUpVerified(browser, stack.sink, email, PASSWORD);

    const pkce = newPkce();
    const login = await browser.get(authorizationRequest(stack.client, {}, pkce));
    const wrong = await signIn(browser, login, email, 'not the password at all');
    expect(wrong.html).to.match(/action="[^"]*\/login"/); // the sign-in form again
    const consentPage = await signIn(browser, wrong, email, PASSWORD);
    expect(consentPage.html).to.match(/action="[^"]*\/consent"/);
    const back = await consent(browser, consentPage, 'allow');
    const code = back.leftTo?.searchParams.get('code');
    expect(code).to.be.a('string');

    const signInPost = browser.responses.filter((r) => r.method === 'POST' && r.url.endsWith('/login'));
    expect(signInPost.map((r) => r.status)).to.include(303);
    const codeRedirect = browser.responses.at(-1)!;
    expect(codeRedirect.headers.get('location')).to.contain('code=');
    expect(cacheable(browser)).to.deep.equal([]);

    const token = await redeem(stack.server, stack.client, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: stack.client.redirectUri,
      code_verifier: pkce.verifier,
    });
    expect(token.status).to.equal(200);
    expect(token.headers.get('cache-control')).to.equal('no-store');
  });

  it('forms re-rendered after an error, refused posts and the other account pages', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const forgot = await browser.get('/forgot-password');
    await browser.post('/forgot-password', { email: 'not an address' }, forgot);
    await browser.post('/signup', { email: newEmail(), password: PASSWORD, _csrf: 'forged' });
    await browser.get('/reset-password?token=nonsense');
    await browser.get('/account'); // the sign-in form of the account page
    await browser.get('/developers');
    await browser.get(`/auth?client_id=unknown-client&response_type=code&scope=openid`); // an error page
    const page = await browser.get('/signup');
    await browser.post(formAction(page.html, /\/signup$/), { email: 'x', password: 'y' }, page);
    expect(browser.responses.length).to.be.greaterThan(8);
    expect(cacheable(browser)).to.deep.equal([]);
  });
});
