import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { BrowserSession } from '../support/browser-session.ts';
import {
  addVirtualAuthenticator,
  signInOnPage,
  useChromiumPage,
  waitForHeading,
} from '../support/chromium.ts';
import { signUpVerified } from '../support/code-flow.ts';
import { NOTES_APP, useNotesApp } from '../support/notes-app.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

const PASSWORD = 'a long enough passphrase';
const MFA = 'urn:vectorauth:acr:mfa';

/**
 * Passkeys as a person meets them, in real Chromium against the real processes, with a virtual
 * authenticator (Chrome DevTools Protocol `WebAuthn`: CTAP2, built in, resident keys, verifying
 * the person): a passkey added on the account page, the step-up of a password session with it,
 * then, signed out, a passwordless sign-in, and a sign-in with the password and the passkey as the
 * second step; each time the app's ID token says how.
 */
describe('e2e in Chromium: passkeys (a virtual authenticator)', function () {
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '10' } });
  const chromium = useChromiumPage(NOTES_APP, '<h1>Back at the app</h1>');
  const notes = useNotesApp(spawned);

  /** Allows the app (a third-party app asks each new session), then the app redeems its code. */
  async function allowAndRedeem(page: Page, app: Awaited<ReturnType<typeof notes.authorization>>) {
    await waitForHeading(page, 'Allow access?');
    await page.getByRole('button', { name: 'Allow' }).click();
    return app.redeem(page);
  }

  async function signOut(page: Page) {
    await page.goto(`${spawned.stack.issuer}/session/end`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await waitForHeading(page, 'Signed out');
  }

  it('adds a passkey on the account page, steps up with it, signs in with it alone and after the password', async () => {
    const email = `passkey-${randomUUID()}@example.com`;
    await signUpVerified(new BrowserSession(spawned.stack.issuer), spawned.sink, email, PASSWORD);
    const page = await chromium.newPage(375);
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

    await page.goto(`${spawned.stack.issuer}/account`);
    await signInOnPage(page, email, PASSWORD);
    await waitForHeading(page, 'Your account');
    await page.getByText('You have no passkeys.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added. You can sign in with it now.').waitFor();
    expect(await page.getByRole('button', { name: /^Remove the passkey Passkey/ }).count()).to.equal(1);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).to.have.length(1);
    expect(credentials[0]!.isResidentCredential, 'a discoverable credential').to.equal(true);
    expect(credentials[0]!.rpId).to.equal('localhost');

    // The session signed in with the password alone: an app asking for two factors gets the passkey asked.
    const stepUp = await notes.authorization({ acr_values: MFA });
    await page.goto(stepUp.url);
    await waitForHeading(page, 'Two-step sign-in');
    expect(await page.getByLabel('E-mail').count(), 'the password is not asked again').to.equal(0);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const stepped = await allowAndRedeem(page, stepUp);
    expect(stepped?.amr).to.deep.equal(['pwd', 'hwk', 'user', 'mfa']);
    expect(stepped?.acr).to.equal(MFA);

    // Passwordless: no e-mail address typed.
    await signOut(page);
    const passwordless = await notes.authorization();
    await page.goto(passwordless.url);
    await waitForHeading(page, 'Sign in');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const alone = await allowAndRedeem(page, passwordless);
    expect(alone?.sub).to.equal(stepped?.sub);
    expect(alone?.amr).to.deep.equal(['hwk', 'user', 'mfa']);
    expect(alone?.acr).to.equal(MFA);

    // The password, then the passkey as the second step.
    await signOut(page);
    const twoSteps = await notes.authorization();
    await page.goto(twoSteps.url);
    await signInOnPage(page, email, PASSWORD);
    await waitForHeading(page, 'Two-step sign-in');
    expect(await page.locator('main').innerText()).to.contain('to continue to Notes');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const both = await allowAndRedeem(page, twoSteps);
    expect(both?.sub).to.equal(stepped?.sub);
    expect(both?.amr).to.deep.equal(['pwd', 'hwk', 'user', 'mfa']);
    expect(both?.acr).to.equal(MFA);

    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(after.credentials[0]!.signCount, 'three uses signed').to.be.greaterThanOrEqual(3);
    await page.context().close();
  });
});
