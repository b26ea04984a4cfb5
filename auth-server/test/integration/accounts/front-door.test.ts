import { expect } from 'chai';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('the front door: / leads to sign-in, sign-up, the account page and the developer console', () => {
  const stack = useAuthStack({ smtp: true });

  it('links every way in, and in development the API reference', async () => {
    const page = await new BrowserSession(stack.server.issuer).get('/');
    expect(page.status).to.equal(200);
    for (const [href, text] of [
      ['/account', 'Sign in'],
      ['/signup', 'Create an account'],
      ['/account', 'Your account'],
      ['/developers', 'Developer console'],
      [`${stack.server.config.vectorApiUrl}/docs`, 'Vector API reference'],
    ]) {
      expect(page.html).to.contain(`<a href="${href}">${text}</a>`);
    }
    // Mails are sent here (SMTP_URL): no development mail box (dev-mail.test.ts).
    expect(page.html).to.not.contain('/dev/mail');
  });

  it('the account page links to the developer console', async () => {
    const { page } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
    expect(page.html).to.contain('<a href="/developers">Developer console</a>');
  });
});
