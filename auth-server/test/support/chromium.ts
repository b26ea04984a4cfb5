import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import type { SmtpSink } from './smtp-sink.ts';
import { useSuiteParts } from './suite-parts.ts';

/** Debian's Chromium, headless, driven by playwright-core (browsers are not downloaded here). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/**
 * A Chromium page for the calling `describe` (mocha hooks), closed with its browser after the suite.
 * The browser's arrival at the app (`appOrigin`, an https URL nobody serves) is answered with `html`.
 */
export function useChromiumPage(
  appOrigin: string,
  html: string,
): {
  readonly page: Page;
  /**
   * A page in a browser context of its own (another browser, as far as cookies go), `width` pixels
   * wide (a phone is 375), with the app's origin answered the same way.
   */
  newPage(width?: number): Promise<Page>;
} {
  const parts = useSuiteParts<{ page: Page; browser: Browser }>('useChromiumPage', async ({ keep }) => {
    const browser = keep('browser', await launchChromium());
    parts.onClose(() => browser.close());
    keep('page', await appPage(browser, 1280));
  });
  const appPage = async (browser: Browser, width: number) => {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.route(`${appOrigin}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: html }),
    );
    return page;
  };
  return {
    get page() {
      return parts.get('page');
    },
    newPage: (width = 1280) => appPage(parts.get('browser'), width),
  };
}

/** Waits for a heading of the page (its accessible name). */
export const waitForHeading = (page: Page, name: string | RegExp): Promise<void> =>
  page.getByRole('heading', { name }).waitFor();

/** At a sign-in page: the e-mail and the password typed, "Sign in" pressed. */
export async function signInOnPage(page: Page, email: string, password: string): Promise<void> {
  await waitForHeading(page, 'Sign in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs up on `issuer`'s pages and confirms the e-mail from the mail the sink received. */
export async function signUpOnPage(
  page: Page,
  issuer: string,
  sink: SmtpSink,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${issuer}/signup`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await waitForHeading(page, 'Check your e-mail');
  const mail = await sink.waitFor(email, /Confirm your e-mail/);
  await page.goto(sink.linkIn(mail, `${issuer}/verify-email`));
  await page.getByRole('button', { name: 'Confirm e-mail address' }).click();
  await waitForHeading(page, 'E-mail address confirmed');
}

/**
 * A virtual authenticator in the page's browser (Chrome DevTools Protocol `WebAuthn`), as a phone
 * or a laptop with a fingerprint reader is: CTAP2, built in, keeping discoverable credentials,
 * verifying the person. `cdp` reads its credentials back (`WebAuthn.getCredentials`).
 */
export async function addVirtualAuthenticator(
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}
