import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useChromiumPage } from '../support/chromium.ts';
import { NOTES_APP as APP, NOTES_CALLBACK as CALLBACK, useNotesApp } from '../support/notes-app.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

const PASSWORD = 'a long enough passphrase';
/** Desktop and phone (issue 18's done-when: Chromium tests at 1280 px and 375 px). */
const WIDTHS = [1280, 375] as const;

/**
 * Issue 18, item 1: a person who leaves an app's sign-in page to sign up, confirm their address or
 * reset their password comes back to that authorization request, and the app receives its code;
 * cancelling returns `access_denied` to the app; switching account with `prompt=login` works.
 * Real Chromium (desktop and phone widths, separate browser contexts), real SMTP, real processes.
 */
describe('e2e in Chromium: every flow started from an app returns to the app', function () {
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '10' } });
  const chromium = useChromiumPage(APP, '<h1>Back at the app</h1>');
  const notes = useNotesApp(spawned);

  /** An authorization request of the app, and how to redeem the code it ends with (the person's `sub`). */
  async function authorization(extra: Record<string, string> = {}) {
    const request = await notes.authorization(extra);
    return { url: request.url, redeem: async (page: Page) => (await request.redeem(page))?.sub };
  }

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name }).waitFor();

  async function signIn(page: Page, email: string, password = PASSWORD) {
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Signs in on the app's sign-in page and allows the app (a third-party app asks once). */
  async function signInAndAllow(page: Page, email: string, password = PASSWORD) {
    await signIn(page, email, password);
    await heading(page, 'Allow access?');
    await page.getByRole('button', { name: 'Allow' }).click();
  }

  /** From the app's sign-in page: "Create an account", then the sign-up form. */
  async function signUpFromApp(page: Page, email: string) {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create your account');
    expect(await page.locator('main').innerText()).to.contain('to continue to Notes');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Check your e-mail');
  }

  const verificationLink = async (email: string) =>
    spawned.sink.linkIn(
      await spawned.sink.waitFor(email, /Confirm your e-mail/),
      `${spawned.stack.issuer}/verify-email`,
    );

  /** A person with a confirmed address who has never used the app. */
  async function existingPerson(): Promise<string> {
    const email = `known-${randomUUID()}@example.com`;
    const page = await chromium.newPage();
    await page.goto(`${spawned.stack.issuer}/signup`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.goto(await verificationLink(email));
    await page.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await heading(page, 'E-mail address confirmed');
    await page.context().close();
    return email;
  }

  it('sign-up confirmed in a second browser at phone width: the first window continues and the app gets its code', async () => {
    const page = await chromium.newPage(1280);
    const app = await authorization();
    await page.goto(app.url);
    const email = `new-${randomUUID()}@example.com`;
    await signUpFromApp(page, email);

    // The mail is opened on a phone: another browser, without this window's cookies.
    const phone = await chromium.newPage(375);
    await phone.goto(await verificationLink(email));
    await phone.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await heading(phone, 'E-mail address confirmed');
    // The way back leads to the app's sign-in, which says it waits in the other window.
    await phone.getByRole('link', { name: 'Continue to Notes' }).click();
    await heading(phone, 'This sign-in continues in another window');
    await phone.context().close();

    await page.getByRole('link', { name: 'I have confirmed it: continue to Notes' }).click();
    await heading(page, 'Sign in');
    await signInAndAllow(page, email);
    expect(await app.redeem(page)).to.be.a('string');
    await page.context().close();
  });

  for (const width of WIDTHS) {
    it(`sign-up confirmed in the same browser at ${width} px: back to the app with a code`, async () => {
      const page = await chromium.newPage(width);
      const app = await authorization();
      await page.goto(app.url);
      const email = `same-${randomUUID()}@example.com`;
      await signUpFromApp(page, email);
      await page.goto(await verificationLink(email));
      await page.getByRole('button', { name: 'Confirm e-mail address' }).click();
      await heading(page, 'E-mail address confirmed');
      await page.getByRole('link', { name: 'Continue to Notes' }).click();
      await signInAndAllow(page, email);
      expect(await app.redeem(page)).to.be.a('string');
      await page.context().close();
    });
  }

  // "Continue with <provider>" on the sign-up page: federated-sign-in.test.ts, which has a provider.
  it('"Sign in" on the sign-up page stays in the app\'s request', async () => {
    const page = await chromium.newPage();
    const app = await authorization();
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create your account');
    const uid = new URL(page.url()).searchParams.get('interaction');
    expect(uid).to.match(/^[\w-]+$/);
    const signInLink = await page.getByRole('link', { name: 'Sign in' }).getAttribute('href');
    expect(signInLink).to.equal(`/interaction/${uid}`);
    await page.context().close();
  });

  for (const width of WIDTHS) {
    it(`a password reset started from the app at ${width} px ends in the app, signed in with the new password`, async () => {
      const email = await existingPerson();
      const page = await chromium.newPage(width);
      const app = await authorization();
      await page.goto(app.url);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await heading(page, 'Reset your password');
      await page.getByLabel('E-mail').fill(email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await heading(page, 'Check your e-mail');
      const mail = await spawned.sink.waitFor(email, /Reset your password/);
      await page.goto(spawned.sink.linkIn(mail, `${spawned.stack.issuer}/reset-password`));
      const newPassword = 'another long passphrase';
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Set new password' }).click();
      await heading(page, 'Password changed');
      await page.getByRole('link', { name: 'Continue to Notes' }).click();
      await signInAndAllow(page, email, newPassword);
      expect(await app.redeem(page)).to.be.a('string');
      await page.context().close();
    });
  }

  it('a confirmation link whose sign-in expired says so and links to the app, not to a dead end', async () => {
    const page = await chromium.newPage();
    const app = await authorization();
    await page.goto(app.url);
    const email = `late-${randomUUID()}@example.com`;
    await signUpFromApp(page, email);
    // The person gives up on the app meanwhile: its authorization request is over.
    await page.goBack();
    await page.getByRole('link', { name: 'Cancel and return to the app' }).click();
    await page.waitForURL((u) => u.href.startsWith(CALLBACK));
    expect(new URL(page.url()).searchParams.get('error')).to.equal('access_denied');

    await page.goto(await verificationLink(email));
    await page.getByRole('button', { name: 'Confirm e-mail address' }).click();
    await heading(page, 'E-mail address confirmed');
    expect(await page.locator('main').innerText()).to.contain('The sign-in you started at Notes has expired');
    expect(await page.getByRole('link', { name: 'Back to Notes' }).getAttribute('href')).to.equal(APP);
    await page.context().close();
  });

  it('"Cancel and return to the app" on the sign-up page returns access_denied to the app', async () => {
    const page = await chromium.newPage();
    const app = await authorization();
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('link', { name: 'Cancel and return to the app' }).click();
    await page.waitForURL((u) => u.href.startsWith(CALLBACK));
    expect(new URL(page.url()).searchParams.get('error')).to.equal('access_denied');
    await page.context().close();
  });

  it("cancelling the account page's own sign-in leads to the front door, not back to sign-in", async () => {
    const page = await chromium.newPage();
    await page.goto(`${spawned.stack.issuer}/account`);
    await heading(page, 'Sign in');
    await page.getByRole('link', { name: 'Cancel and return to the app' }).click();
    await page.waitForURL(`${spawned.stack.issuer}/`);
    expect(await page.getByRole('link', { name: /create an account/i }).count()).to.be.greaterThan(0);
    await page.context().close();
  });

  it('switches account: signed in as one person, prompt=login signs in another and the app gets their code', async () => {
    const first = await existingPerson();
    const second = await existingPerson();
    const page = await chromium.newPage();
    const before = await authorization();
    await page.goto(before.url);
    await signInAndAllow(page, first);
    const firstSub = await before.redeem(page);

    const app = await authorization({ prompt: 'login' });
    await page.goto(app.url);
    await heading(page, 'Sign in');
    await signInAndAllow(page, second);
    const secondSub = await app.redeem(page);
    expect(secondSub).to.be.a('string');
    expect(secondSub).to.not.equal(firstSub);
    await page.context().close();
  });

  it('"Not you? Switch account" on the consent page: another person signs in and the app gets their code', async () => {
    const first = await existingPerson();
    const second = await existingPerson();
    const page = await chromium.newPage(375);
    const signedIn = await authorization();
    await page.goto(signedIn.url);
    await signInAndAllow(page, first);
    const firstSub = await signedIn.redeem(page);
    const firstAnswer = await authorization({ prompt: 'consent' });
    await page.goto(firstAnswer.url);
    await heading(page, 'Allow access?');
    expect(await page.locator('main').innerText()).to.contain(`Signed in as ${first}`);
    await page.getByRole('link', { name: 'Not you? Switch account' }).click();
    await heading(page, 'Sign in');
    await signInAndAllow(page, second);
    const sub = await firstAnswer.redeem(page);
    expect(sub).to.be.a('string');
    expect(sub, "the code is the second person's").to.not.equal(firstSub);
    await page.context().close();
  });
});
