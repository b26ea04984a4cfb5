import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devSecret } from '@vectorauth/shared';
import { expect } from 'chai';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import { newEmail, PASSWORD } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { testEnv } from '../../support/test-env.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** The href of every link on a page, as a browser reads it (entities decoded). */
const hrefs = (html: string) =>
  [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

describe('the development mail box: /dev/mail lists unsent mails, decoded, links clickable', () => {
  // Development without SMTP_URL: mails go to this server's own outbox.
  const stack = useAuthStack({
    env: async () => ({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'dev-mail-')),
      MASTER_KEY: devSecret(testEnv().dataDir, 'master-key'),
      // Behind a proxy, to be reached "from another machine" below.
      TRUST_PROXY: 'true',
    }),
  });

  it('answers only a browser on this machine: its links reset passwords', async () => {
    const remote = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': '203.0.113.9' });
    expect((await remote.get('/dev/mail')).status).to.equal(404);
    expect((await new BrowserSession(stack.server.issuer).get('/dev/mail')).status).to.equal(200);
  });

  it('is linked from the front door and shows a sign-up mail whose link confirms the address', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const home = await browser.get('/');
    expect(home.html).to.contain('<a href="/dev/mail">Development mail box</a>');
    const empty = await browser.get('/dev/mail');
    expect(empty.status).to.equal(200);

    const email = newEmail('outbox');
    await browser.post('/signup', { email, password: PASSWORD }, await browser.get('/signup'));
    const box = (await waitFor('the mail in the mail box', async () => {
      const page = await browser.get('/dev/mail');
      return page.html.includes(email) ? page : undefined;
    }))!;
    expect(box.html).to.contain('<h2 id="mail-');
    expect(box.html).to.contain('Confirm your e-mail address');
    expect(box.html, 'decoded, not quoted-printable').to.not.contain('=3D');
    const link = hrefs(box.html).find((h) => h.startsWith(`${stack.server.issuer}/verify-email?token=`));
    expect(link).to.be.a('string');
    const url = new URL(link!);
    const confirm = await browser.get(url.pathname + url.search);
    const verified = await browser.post('/verify-email', { token: url.searchParams.get('token')! }, confirm);
    expect(verified.html).to.contain('E-mail address confirmed');
  });
});

describe('the development mail box is absent where mails are sent', () => {
  const stack = useAuthStack({ smtp: true });

  it('answers 404 at /dev/mail and the front door does not link it when SMTP_URL is set', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    expect((await browser.get('/dev/mail')).status).to.equal(404);
    expect((await browser.get('/')).html).to.not.contain('/dev/mail');
  });
});
