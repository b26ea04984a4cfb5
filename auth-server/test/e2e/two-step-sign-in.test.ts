import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectLogLines } from '../../../shared/test/support/expected-log-lines.ts';
import { Authenticator } from '../support/authenticator.ts';
import { signInOnPage, signUpOnPage, useChromiumPage, waitForHeading } from '../support/chromium.ts';
import { NOTES_APP, useNotesApp } from '../support/notes-app.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

const PASSWORD = 'a long enough passphrase';

/**
 * Two-step sign-in as a person meets it, in real Chromium against the real processes: the
 * authenticator set up from the account page by reading the key off the page (as one types it
 * into an app), signed out, then the app's sign-in asks for the password and a code, and the app
 * gets its code, with an ID token that says two factors were used.
 */
describe('e2e in Chromium: two-step sign-in with an authenticator app', function () {
  // The spent recovery code typed again is refused on purpose (audited as a failed second factor).
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit second_factor.failed' }]);
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '10' } });
  const chromium = useChromiumPage(NOTES_APP, '<h1>Back at the app</h1>');
  const notes = useNotesApp(spawned);

  const heading = waitForHeading;
  const signIn = (page: Page, email: string) => signInOnPage(page, email, PASSWORD);

  it('sets up an authenticator from the key on the page, then signs in to the app with the password and a code', async () => {
    const email = `totp-${randomUUID()}@example.com`;
    const page = await chromium.newPage(375);
    await signUpOnPage(page, spawned.stack.issuer, spawned.sink, email, PASSWORD);

    await page.goto(`${spawned.stack.issuer}/account`);
    await signIn(page, email);
    await heading(page, 'Your account');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await heading(page, 'Set up two-step sign-in');
    expect(await page.getByRole('img', { name: 'QR code of your authenticator key' }).isVisible()).to.equal(
      true,
    );
    const authenticator = new Authenticator(await page.locator('#totp-secret').innerText());
    await page.getByLabel('Code from your authenticator app').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await heading(page, 'Save your recovery codes');
    const recoveryCodes = await page.locator('ul.recovery-codes li').allInnerTexts();
    expect(recoveryCodes).to.have.length(10);
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByText('Recovery codes left: 10 of 10.').waitFor();

    await page.goto(`${spawned.stack.issuer}/session/end`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.goto(`${spawned.stack.issuer}/account`);
    await heading(page, 'Sign in');

    const app = await notes.authorization();
    await page.goto(app.url);
    await signIn(page, email);
    await heading(page, 'Two-step sign-in');
    expect(await page.locator('main').innerText()).to.contain('to continue to Notes');
    await page.getByLabel('Code from your authenticator app').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await heading(page, 'Allow access?');
    await page.getByRole('button', { name: 'Allow' }).click();
    const claims = await app.redeem(page);
    expect(claims?.sub).to.be.a('string');
    expect(claims?.amr).to.deep.equal(['pwd', 'otp']);
    expect(claims?.acr).to.equal('urn:vectorauth:acr:mfa');

    // The phone is lost: a recovery code signs in once; the same code a second time is refused.
    const recovery = (recoveryCodes[0] as string).trim();
    for (const round of ['first', 'again'] as const) {
      await page.goto(`${spawned.stack.issuer}/session/end`);
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.goto(`${spawned.stack.issuer}/account`);
      await signIn(page, email);
      await heading(page, 'Two-step sign-in');
      await page.getByLabel('Recovery code').fill(recovery);
      await page.getByRole('button', { name: 'Use recovery code' }).click();
      if (round === 'first') {
        await heading(page, 'Your account');
        await page.getByText('Recovery codes left: 9 of 10.').waitFor();
      } else {
        await heading(page, 'Two-step sign-in');
        expect(await page.locator('.field-error').first().innerText()).to.not.equal('');
      }
    }
    await page.context().close();
  });
});
