import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { createAppClient, newEmail, newSignedInAccount, PASSWORD } from '../../support/accounts.ts';
import { appAsks, idTokenClaims } from '../../support/app-id-token.ts';
import {
  Authenticator,
  asksForCode,
  enterCode,
  recoveryCodesOn,
  secretOn,
  setUpAuthenticator,
} from '../../support/authenticator.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { consent, signIn, signUpVerified } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const MFA = 'urn:vectorauth:acr:mfa';

describe('step-up: an app asking acr_values=mfa gets a second factor from a password-only session', function () {
  this.timeout(120_000);
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit second_factor.failed' }]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  it('asks a signed-in person only for the code (not the password again), then the ID token says mfa', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { page: accountPage } = await newSignedInAccount(browser, stack.sink);
    // The session signed in with the password; the authenticator is set up after.
    const { authenticator } = await setUpAuthenticator(browser, accountPage);

    const plain = await appAsks(stack, browser);
    const pwd = await idTokenClaims(stack, browser, plain.page, plain.verifier);
    expect(pwd, 'without acr_values the session serves as it is').to.include({
      acr: 'urn:vectorauth:acr:pwd',
    });

    const silent = await appAsks(stack, browser, { acr_values: MFA, prompt: 'none' });
    expect(silent.page.leftTo?.searchParams.get('error'), 'prompt=none cannot step up').to.equal(
      'login_required',
    );

    const stepUp = await appAsks(stack, browser, { acr_values: MFA });
    expect(asksForCode(stepUp.page), stepUp.page.html).to.equal(true);
    expect(stepUp.page.html, 'no password asked').not.to.match(/action="[^"]*\/login"/);
    const wrong = await enterCode(browser, stepUp.page, { code: authenticator.wrongCode() });
    expect(wrong.status).to.equal(400);
    const done = await enterCode(browser, wrong, { code: await authenticator.code() });
    const claims = await idTokenClaims(stack, browser, done, stepUp.verifier);
    expect(claims).to.include({ acr: MFA });
    expect(claims.amr).to.deep.equal(['pwd', 'otp']);

    // The session now has two factors: asking again needs nothing more.
    const again = await appAsks(stack, browser, { acr_values: MFA });
    expect((await idTokenClaims(stack, browser, again.page, again.verifier)).acr).to.equal(MFA);
  });

  it('tells a person without an authenticator that the app requires two-step sign-in, with a way to set it up', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email, page: accountPage } = await newSignedInAccount(browser, stack.sink);
    const asked = await appAsks(stack, browser, { acr_values: MFA });
    expect(asked.page.leftTo).to.equal(undefined);
    expect(asked.page.html).to.contain('<h1>Two-step sign-in required');
    expect(asked.page.html).to.contain('asks for two-step sign-in');
    expect(asked.page.html).to.contain(email);
    expect(asked.page.html).to.contain('href="/account#two-step"');
    const continueHref = /href="(\/interaction\/[^"]+)">I have set it up: continue/.exec(
      asked.page.html,
    )?.[1];
    expect(continueHref).to.be.a('string');
    // Continuing without setting it up only says so again.
    expect((await browser.get(continueHref!)).html).to.contain('<h1>Two-step sign-in required');

    const { authenticator } = await setUpAuthenticator(browser, accountPage);
    const codePage = await browser.get(continueHref!);
    expect(asksForCode(codePage), codePage.html).to.equal(true);
    const done = await enterCode(browser, codePage, { code: await authenticator.code() });
    expect((await idTokenClaims(stack, browser, done, asked.verifier)).acr).to.equal(MFA);
  });

  it('a password sign-in of an account without an authenticator, for an app asking mfa, ends at the same page', async () => {
    const email = newEmail();
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
    const browser = new BrowserSession(stack.server.issuer);
    const { page } = await appAsks(stack, browser, { acr_values: MFA });
    const after = await signIn(browser, page, email, PASSWORD);
    expect(after.leftTo, 'no code for the app').to.equal(undefined);
    expect(after.html).to.contain('<h1>Two-step sign-in required');
  });
});

describe('REQUIRE_MFA=all: a person without a second factor sets one up before the sign-in finishes', function () {
  this.timeout(120_000);
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit second_factor.enrolled' }]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true, env: { REQUIRE_MFA: 'all' } });

  it('sends the person to set up an authenticator; only its first code finishes the sign-in, with recovery codes shown', async () => {
    const email = newEmail('required');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
    const browser = new BrowserSession(stack.server.issuer);
    const { page, verifier } = await appAsks(stack, browser);
    const setup = await signIn(browser, page, email, PASSWORD);
    expect(setup.leftTo, 'no code for the app yet').to.equal(undefined);
    expect(setup.html).to.contain('<h1>Set up two-step sign-in</h1>');
    expect(setup.html).to.contain('needs two-step sign-in');
    expect(setup.html).to.contain('<svg class="qr-code"');
    const authenticator = new Authenticator(secretOn(setup));
    const setupAction = /action="(\/interaction\/[^"]+\/second-factor\/setup)"/.exec(setup.html)?.[1];
    expect(setupAction).to.be.a('string');
    // The account page is out of reach meanwhile: no session yet.
    expect((await browser.tab().get('/account')).html).not.to.contain('Connected apps');

    const wrong = await browser.post(setupAction!, { code: authenticator.wrongCode() }, setup);
    expect(wrong.status).to.equal(400);
    expect(secretOn(wrong), 'the same key is shown again').to.equal(secretOn(setup));
    const codes = await browser.post(setupAction!, { code: await authenticator.code() }, wrong);
    expect(codes.status).to.equal(200);
    expect(recoveryCodesOn(codes)).to.have.length(10);
    const continueHref = /<a class="button" href="([^"]+)">Continue to Notes App<\/a>/.exec(codes.html)?.[1];
    expect(continueHref, codes.html).to.be.a('string');
    const back = await browser.get(continueHref!.replace(/&amp;/g, '&'));
    const claims = await idTokenClaims(stack, browser, back, verifier);
    expect(claims).to.include({ acr: MFA });
    expect(claims.amr).to.deep.equal(['pwd', 'otp']);

    // From now on the code is asked, as for anyone with an authenticator.
    const next = new BrowserSession(stack.server.issuer);
    const second = await appAsks(stack, next);
    const asked = await signIn(next, second.page, email, PASSWORD);
    expect(asksForCode(asked), asked.html).to.equal(true);
    const done = await enterCode(next, asked, { code: await authenticator.code() });
    expect((await idTokenClaims(stack, next, done, second.verifier)).acr).to.equal(MFA);
  });
});

describe('REQUIRE_MFA=admin: two factors for apps with the admin scope, one for the others', function () {
  this.timeout(120_000);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true, env: { REQUIRE_MFA: 'admin' } });

  it('an admin app sends a person without a factor to set one up; an ordinary app does not; a password-only session is stepped up', async () => {
    const admin = await createAppClient(stack.server, {
      client_name: 'Admin console',
      scope: 'openid vectors:read admin',
    });
    const email = newEmail('admin');
    await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);

    // An ordinary app: the password alone completes the sign-in.
    const browser = new BrowserSession(stack.server.issuer);
    const ordinary = await appAsks(stack, browser);
    const signedIn = await signIn(browser, ordinary.page, email, PASSWORD);
    const done =
      !signedIn.leftTo && signedIn.html.includes('/consent"')
        ? await consent(browser, signedIn, 'allow')
        : signedIn;
    expect(done.leftTo?.searchParams.get('code'), done.html).to.be.a('string');

    // The admin app, in the same browser (a password-only session): set up an authenticator first.
    const asked = await appAsks(stack, browser, { scope: 'openid admin' }, admin);
    expect(asked.page.leftTo, 'no code for the admin app').to.equal(undefined);
    expect(asked.page.html).to.contain('<h1>Set up two-step sign-in</h1>');
    expect(asked.page.html).to.contain('<svg class="qr-code"');
  });
});
