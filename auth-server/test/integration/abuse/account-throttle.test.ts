import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizeUrl, newPkce, signIn, signUpVerified } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

let addresses = 0;
/** A fresh client address (behind a trusted proxy) for every browser. */
const newIp = () => {
  addresses += 1;
  return `10.77.${addresses >> 8}.${addresses & 255}`;
};

describe('guessing one account from rotating addresses (per-account throttle, shared through Redis)', function () {
  expectLogLines([
    { service: 'auth-server', level: 'warn', msg: 'audit user.sign_in' },
    { service: 'auth-server', level: 'warn', msg: 'audit rate_limit.hit', optional: true },
  ]);
  this.timeout(120_000);
  const stack = useAuthStack({ env: { TRUST_PROXY: 'true' }, smtp: true });
  let clientId: string;

  before(async () => {
    clientId = (
      await stack.server.createClient({
        client_name: 'app',
        redirect_uris: ['https://app.example/cb'],
        scope: 'openid',
      })
    ).client_id;
  });

  /** A browser at a new address, on the sign-in form of an authorization request. */
  async function fromNewAddress(ip = newIp()): Promise<{ browser: BrowserSession; page: Page }> {
    const browser = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': ip });
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
  /** A verified account, signed up from `ip`. */
  const signUpFrom = (ip: string, email: string, password: string) =>
    signUpVerified(
      new BrowserSession(stack.server.issuer, { 'x-forwarded-for': ip }),
      stack.sink,
      email,
      password,
    );
  const attempt = async (email: string, password: string, ip?: string) => {
    const { browser, page } = await fromNewAddress(ip);
    return signIn(browser, page, email, password);
  };

  it('slows the 11th failure from the 11th address, even with the right password, but never the owner at a known address', async () => {
    const email = `guessed-${randomUUID()}@example.com`;
    const password = 'the owner’s passphrase';
    const ownerIp = newIp();
    await signUpFrom(ownerIp, email, password);
    const before = await attempt(email, password, ownerIp);
    expect(before.html, 'the owner signs in from home').to.contain('Allow access?');

    for (let i = 0; i < 10; i++) {
      const failed = await attempt(email, `guess ${i}`);
      expect(failed.status, `guess ${i}, each from its own address`).to.equal(400);
    }
    const slowed = await attempt(email, 'guess 10');
    expect(slowed.status, 'an eleventh address is held by the account-wide throttle').to.equal(429);
    expect(slowed.html).to.contain('Too many failed sign-ins');
    const wait = Number(/Please wait (\d+) seconds/.exec(slowed.html)?.[1]);
    expect(wait).to.be.within(1, 60);

    const right = await attempt(email, password);
    expect(right.status, 'the right password from a new address waits too (no oracle)').to.equal(429);

    const owner = await attempt(email, password, ownerIp);
    expect(owner.html, 'the owner at an address they signed in from is not held').to.contain('Allow access?');
  });

  it('lets the owner back in from a new device after a password reset there, while guesses elsewhere stay held', async () => {
    const email = `reset-${randomUUID()}@example.com`;
    await signUpFrom(newIp(), email, 'the old passphrase');
    for (let i = 0; i < 10; i++) expect((await attempt(email, `guess ${i}`)).status).to.equal(400);

    const laptopIp = newIp();
    const held = await attempt(email, 'the old passphrase', laptopIp);
    expect(held.status, 'the owner on a new laptop is held like everyone else').to.equal(429);

    // The owner resets the password from the laptop: the mailbox proves them.
    const laptop = new BrowserSession(stack.server.issuer, { 'x-forwarded-for': laptopIp });
    await laptop.post('/forgot-password', { email }, await laptop.get('/forgot-password'));
    const mail = await stack.sink.waitFor(email, /Reset your password/);
    const link = new URL(stack.sink.linkIn(mail, `${stack.server.issuer}/reset-password`));
    const reset = await laptop.post(
      '/reset-password',
      { token: link.searchParams.get('token')!, password: 'a brand new passphrase' },
      await laptop.get(link.pathname + link.search),
    );
    expect(reset.status).to.equal(200);

    const back = await attempt(email, 'a brand new passphrase', laptopIp);
    expect(back.html, 'the address the reset was made from is known now').to.contain('Allow access?');
    const elsewhere = await attempt(email, 'a brand new passphrase');
    expect(elsewhere.status, 'another new address is still held').to.equal(429);
  });

  it('holds one account only: another account is not slowed from the same addresses', async () => {
    const victim = `victim-${randomUUID()}@example.com`;
    const other = `other-${randomUUID()}@example.com`;
    const password = 'a long enough passphrase';
    await signUpFrom(newIp(), other, password);
    for (let i = 0; i < 10; i++) expect((await attempt(victim, `guess ${i}`)).status).to.equal(400);
    expect((await attempt(victim, 'guess 10')).status).to.equal(429);
    expect((await attempt(other, password)).html).to.contain('Allow access?');
  });

  // Parallel bursts: the check and the count are one step, not check-then-count.
  it('lets no more than the free failures (10) plus one through when 30 guesses arrive together', async () => {
    const email = `burst-${randomUUID()}@example.com`;
    const forms = [];
    for (let i = 0; i < 30; i++) forms.push(await fromNewAddress(newIp()));
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
  it('never holds the owner’s own parallel sign-ins (contention on the counters is no refusal)', async () => {
    const email = `tabs-${randomUUID()}@example.com`;
    const password = 'the owner’s passphrase';
    const homeIp = newIp();
    await signUpFrom(homeIp, email, password);
    // Four workers, each signing in again as soon as it is in: counts charged and taken back
    // interleave all the time, as in a sign-in storm of one person's devices.
    for (const ip of [homeIp, newIp()]) {
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 6; i++) {
            const { browser, page } = await fromNewAddress(ip);
            statuses.push((await signIn(browser, page, email, password)).status);
          }
        }),
      );
      expect(statuses, 'every sign-in with the right password gets in').to.deep.equal(Array(24).fill(200));
    }
  });

  it('takes the address the proxy saw, not one the client wrote in front of it (no borrowing the owner’s known address)', async () => {
    const email = `spoofed-${randomUUID()}@example.com`;
    const password = 'the owner’s passphrase';
    const ownerIp = newIp();
    await signUpFrom(ownerIp, email, password);
    const { browser: home, page } = await fromNewAddress(ownerIp);
    expect((await signIn(home, page, email, password)).html).to.contain('Allow access?');
    for (let i = 0; i < 10; i++) {
      const { browser, page } = await fromNewAddress(newIp());
      expect((await signIn(browser, page, email, `guess ${i}`)).status).to.equal(400);
    }
    // A proxy that appends (nginx's $proxy_add_x_forwarded_for, most load balancers) passes on
    // whatever the client sent, followed by the address it saw.
    const { browser, page: form } = await fromNewAddress(`${ownerIp}, ${newIp()}`);
    const spoofed = await signIn(browser, form, email, 'guess 10');
    expect(spoofed.status, 'held like any other new address').to.equal(429);
  });
});
