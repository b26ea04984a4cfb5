import { type Browser, chromium, type Page } from 'playwright-core';
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
export function useChromiumPage(appOrigin: string, html: string): { readonly page: Page } {
  const parts = useSuiteParts<{ page: Page }>('useChromiumPage', async ({ keep }) => {
    const browser = await launchChromium();
    parts.onClose(() => browser.close());
    const page = keep('page', await browser.newPage());
    await page.route(`${appOrigin}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: html }),
    );
  });
  return {
    get page() {
      return parts.get('page');
    },
  };
}
