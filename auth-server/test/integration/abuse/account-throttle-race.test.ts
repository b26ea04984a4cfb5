import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizeUrl, newPkce, signIn, signUpVerified } from '../../support/code-flow.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';

let addresses = 0;
const newIp = () => {
  addresses += 1;
  return `10.78.${addresses >> 8}.${addresses & 255}`;
};

/**
 * The account-wide sign-in throttle must hold guesses sent all at once: a check that only reads
 * the failures counted so far lets every guess of a parallel burst through before any is counted.
 */
describe('guessing one account with parallel bursts (per-account throttle is check-and-count, not check-then-count)', () => {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in', optional: true },
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit', optional: true },
  ]);
  let sink: SmtpSink;
  let server: TestAuthServer;
  let clientId: string;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestAuthServer({ SMTP_URL: sink.url, TRUST_PROXY: 'true' });
    clientId = (
      await server.createClient({
        client_name: 'app',
        redirect_uris: ['https://app.example/cb'],
        scope: 'openid',
      })
    ).client_id;
  });
  after(async () => {
    await server?.close();
    await sink?.close();
  });

  async function signInForm(ip: string): Promise<{ browser: BrowserSession; page: Page }> {
    const browser = new BrowserSession(server.issuer, { 'x-forwarded-for': ip });
    const pkce = newPkce();
    const page = await browser.get(
      authorizeUrl({
        client_id: clientId,
        redirect_uri: 'https://app.example/cb',
        scope: 'openid',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    );
    return { browser, page };
  }

  it('lets no more than the free failures (10) plus one through when 30 guesses arrive together', async function () {
    this.timeout(120_000);
    const email = `burst-${randomUUID()}@example.com`;
    const forms = [];
    for (let i = 0; i < 30; i++) forms.push(await signInForm(newIp()));
    const answers = await Promise.all(
      forms.map(({ browser, page }, i) => signIn(browser, page, email, `guess ${i}`)),
    );
    const tried = answers.filter((a) => a.status === 400).length;
    const held = answers.filter((a) => a.status === 429).length;
    expect(tried + held, 'every guess is answered as tried or held').to.equal(30);
    expect(tried, 'guesses actually checked against the password').to.be.at.most(11);
  });

  // Attempts in flight count as failures until they succeed (that is what holds a burst), so up to
  // the per-address free failures (5) may run at once: four tabs or devices of one person.
  it('never holds the owner’s own parallel sign-ins (contention on the counters is no refusal)', async function () {
    this.timeout(120_000);
    const email = `tabs-${randomUUID()}@example.com`;
    const password = 'the owner’s passphrase';
    const homeIp = newIp();
    await signUpVerified(
      new BrowserSession(server.issuer, { 'x-forwarded-for': homeIp }),
      sink,
      email,
      password,
    );
    // Four workers, each signing in again as soon as it is in: counts charged and taken back
    // interleave all the time, as in a sign-in storm of one person's devices.
    for (const ip of [homeIp, newIp()]) {
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 6; i++) {
            const { browser, page } = await signInForm(ip);
            statuses.push((await signIn(browser, page, email, password)).status);
          }
        }),
      );
      expect(statuses, 'every sign-in with the right password gets in').to.deep.equal(Array(24).fill(200));
    }
  });

  it('takes the address the proxy saw, not one the client wrote in front of it (no borrowing the owner’s known address)', async function () {
    this.timeout(120_000);
    const email = `spoofed-${randomUUID()}@example.com`;
    const password = 'the owner’s passphrase';
    const ownerIp = newIp();
    await signUpVerified(
      new BrowserSession(server.issuer, { 'x-forwarded-for': ownerIp }),
      sink,
      email,
      password,
    );
    const { browser: home, page } = await signInForm(ownerIp);
    expect((await signIn(home, page, email, password)).html).to.contain('Allow access?');
    for (let i = 0; i < 10; i++) {
      const { browser, page } = await signInForm(newIp());
      expect((await signIn(browser, page, email, `guess ${i}`)).status).to.equal(400);
    }
    // A proxy that appends (nginx's $proxy_add_x_forwarded_for, most load balancers) passes on
    // whatever the client sent, followed by the address it saw.
    const { browser, page: form } = await signInForm(`${ownerIp}, ${newIp()}`);
    const spoofed = await signIn(browser, form, email, 'guess 10');
    expect(spoofed.status, 'held like any other new address').to.equal(429);
  });
});
