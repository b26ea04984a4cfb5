import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { newEmail, newSignedInAccount, PASSWORD } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * The way back to an app (pages/app-return.ts) from sign-up, confirmation and reset, as an
 * attacker would send it: nothing in a link or form decides where a browser is sent, a mailed
 * link names the app's request only as the server found it, and made-up values are ignored.
 */
describe('returning to the app: what links and forms may and may not steer', () => {
  // The made-up confirmation and reset links are refused, and audited as failures.
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.email_verified' },
    { service: 'auth-server', level: 'warn', msg: 'audit user.password_reset' },
  ]);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  /** A browser on an app's sign-in page, and that page's interaction id. */
  async function atAppSignIn() {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await browser.get(authorizationRequest(stack.client));
    const uid = /action="\/interaction\/([\w-]+)\/login"/.exec(page.html)?.[1];
    expect(uid).to.be.a('string');
    return { browser, page, uid: uid as string };
  }

  it('links the sign-in page to sign-up and reset within the app request, and back from them', async () => {
    const { browser, page, uid } = await atAppSignIn();
    expect(page.html).to.contain(`href="/signup?interaction=${uid}"`);
    expect(page.html).to.contain(`href="/forgot-password?interaction=${uid}"`);
    const signup = await browser.get(`/signup?interaction=${uid}`);
    expect(signup.html).to.contain(`name="interaction" value="${uid}"`);
    expect(signup.html).to.contain(`href="/interaction/${uid}/abort"`);
    const forgot = await browser.get(`/forgot-password?interaction=${uid}`);
    expect(forgot.html).to.contain(`href="/interaction/${uid}"`);
  });

  it('mails a confirmation link that names the request and its client as the server knows them', async () => {
    const { browser, uid } = await atAppSignIn();
    const signup = await browser.get(`/signup?interaction=${uid}`);
    const email = newEmail('return');
    // The form claims another client: the server takes the client from the interaction.
    await browser.post(
      '/signup',
      { email, password: PASSWORD, interaction: uid, client_id: 'someone-else' },
      signup,
    );
    const mail = await stack.sink.waitFor(email, /Confirm your e-mail/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/verify-email`));
    expect(link.searchParams.get('interaction')).to.equal(uid);
    expect(link.searchParams.get('client_id')).to.equal(stack.client.client_id);
  });

  it('ignores return values that are not an interaction id or name no live request', async () => {
    for (const made of ['../../admin', 'x"><script>alert(1)</script>', '%2F%2Fevil.example', 'nope']) {
      const browser = new BrowserSession(stack.server.issuer);
      const signup = await browser.get(`/signup?interaction=${encodeURIComponent(made)}`);
      expect(signup.status, made).to.equal(200);
      expect(signup.html, made).to.not.contain('name="interaction"');
      expect(signup.html, made).to.not.contain('<script>');
      expect(signup.html, made).to.contain('href="/account"');
    }
  });

  it('never redirects on a mailed link: a made-up return leads to an app only by its registered address', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const verify = await browser.get(
      `/verify-email?token=made-up&interaction=abcdefghij&client_id=${encodeURIComponent('https://evil.example')}`,
    );
    expect(verify.status).to.equal(200);
    const spent = await browser.post(
      '/verify-email',
      { token: 'made-up', interaction: 'abcdefghij', client_id: 'https://evil.example' },
      verify,
    );
    expect(spent.status).to.equal(400);
    expect(spent.leftTo).to.equal(undefined);
    expect(spent.html).to.not.contain('evil.example');
    const reset = await browser.get('/reset-password?token=t&interaction=abcdefghij&client_id=unknown');
    const refused = await browser.post(
      '/reset-password',
      { token: 't', password: PASSWORD, interaction: 'abcdefghij', client_id: 'unknown' },
      reset,
    );
    expect(refused.status).to.equal(400);
    expect(refused.leftTo).to.equal(undefined);
    expect(refused.html).to.contain('href="/forgot-password"');
  });

  it('tells a browser without the interaction that it continues in another window, and one with a gone one that it expired', async () => {
    const { uid } = await atAppSignIn();
    const other = new BrowserSession(stack.server.issuer);
    const elsewhere = await other.get(`/interaction/${uid}`);
    expect(elsewhere.status).to.equal(400);
    expect(elsewhere.html).to.contain('This sign-in continues in another window');
    const gone = await other.get('/interaction/abcdefghijklmnop');
    expect(gone.html).to.contain('This sign-in has expired');
  });

  it("once the request is gone, names and links only an app the operator registered, never a developer's", async () => {
    // A developer's app, with a name and address of their choosing, named in a mailed link.
    const developer = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(developer, stack.sink);
    const created = await developer.post(
      '/developers/apps',
      {
        name: 'Your Bank',
        kind: 'spa',
        redirect_uris: 'https://evil.example/cb',
        'scope:vectors:read': 'on',
      },
      await developer.get('/developers'),
    );
    const theirs = /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(created.html)![1]!;
    const expiredWith = async (clientId: string) => {
      const email = newEmail('expired');
      const browser = new BrowserSession(stack.server.issuer);
      await browser.post('/signup', { email, password: PASSWORD }, await browser.get('/signup'));
      const link = new URL(
        stack.sink.linkIn(
          await stack.sink.waitFor(email, /Confirm your e-mail/),
          `${stack.server.issuer}/verify-email`,
        ),
      );
      const form = {
        token: link.searchParams.get('token')!,
        interaction: 'gone-long-ago',
        client_id: clientId,
      };
      return browser.post(
        '/verify-email',
        form,
        await browser.get(`/verify-email?${new URLSearchParams(form)}`),
      );
    };
    const mine = await expiredWith(theirs);
    expect(mine.html).to.contain('E-mail address confirmed');
    expect(mine.html).to.not.contain('Your Bank');
    expect(mine.html).to.not.contain('evil.example');
    expect(mine.html).to.contain('The sign-in you started at the app has expired');

    const operators = await expiredWith(stack.client.client_id);
    expect(operators.html).to.contain(`href="${new URL(stack.client.redirectUri).origin}"`);
  });
});
