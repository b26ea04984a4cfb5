import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import {
  accountRow,
  newEmail,
  newSignedInAccount,
  PASSWORD,
  signInToAccount,
} from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('enumeration: sign-up, forgot-password and resend answer alike for known and unknown addresses', () => {
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.sign_up' }]);
  const stack = useAuthStack({ smtp: true, db: true });

  async function post(path: string, fields: Record<string, string>, formPath = path): Promise<Page> {
    const browser = new BrowserSession(stack.server.issuer);
    return browser.post(path, fields, await browser.get(formPath));
  }

  const mailsTo = (email: string) => stack.sink.mails.filter((m) => m.to.includes(email.toLowerCase()));

  it('sign-up with a taken address answers exactly like a new one; the owner is told by mail', async () => {
    const { email: taken } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
    const hash = (await accountRow(stack.db, taken))!.password_hash;
    const fresh = newEmail('fresh');

    const forTaken = await post('/signup', {
      email: taken.toUpperCase(),
      password: 'someone elses password',
    });
    const forFresh = await post('/signup', { email: fresh, password: 'someone elses password' });
    expect(forTaken.status).to.equal(200);
    expect(forFresh.status).to.equal(forTaken.status);
    expect(forTaken.html).to.equal(forFresh.html);

    const notice = await stack.sink.waitFor(taken, /already have an account/);
    expect(notice.text).to.contain(`${stack.server.issuer}/forgot-password`);
    expect(notice.text, 'no confirmation link for a taken address').not.to.contain('/verify-email');
    await stack.sink.waitFor(fresh, /Confirm your e-mail/);

    expect((await accountRow(stack.db, taken))!.password_hash, 'the owner keeps the password').to.equal(hash);
    await signInToAccount(new BrowserSession(stack.server.issuer), taken, PASSWORD);
  });

  it('forgot-password for an unknown address answers exactly like a known one; only the known gets a mail', async () => {
    const { email: known } = await newSignedInAccount(new BrowserSession(stack.server.issuer), stack.sink);
    const unknown = newEmail('nobody');
    const forUnknown = await post('/forgot-password', { email: unknown });
    const forKnown = await post('/forgot-password', { email: known });
    expect(forUnknown.status).to.equal(200);
    expect(forKnown.status).to.equal(forUnknown.status);
    expect(forUnknown.html).to.equal(forKnown.html);
    // Mails go out in order: once the known address has its mail, any mail for the unknown one would be there.
    await stack.sink.waitFor(known, /Reset your password/);
    expect(mailsTo(unknown)).to.have.length(0);
  });

  it('resending the confirmation answers alike for unknown, unconfirmed and confirmed addresses', async () => {
    const { email: confirmed } = await newSignedInAccount(
      new BrowserSession(stack.server.issuer),
      stack.sink,
    );
    const unconfirmed = newEmail('unconfirmed');
    await post('/signup', { email: unconfirmed, password: PASSWORD });
    await stack.sink.waitFor(unconfirmed, /Confirm your e-mail/);
    const unknown = newEmail('nobody');

    const pages = [];
    for (const email of [unknown, confirmed, unconfirmed]) {
      pages.push(await post('/verify-email/resend', { email }, '/signup'));
    }
    for (const page of pages) {
      expect(page.status).to.equal(200);
      expect(page.html).to.equal(pages[0]!.html);
    }
    await stack.sink.waitFor(unconfirmed, /Confirm your e-mail/);
    expect(mailsTo(unknown)).to.have.length(0);
    expect(
      mailsTo(confirmed).filter((m) => /Confirm/.test(m.subject)),
      'only the sign-up mail',
    ).to.have.length(1);
  });
});
