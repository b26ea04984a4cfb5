import { expect } from 'chai';
import * as OTPAuth from 'otpauth';
import { waitFor } from '../../../shared/test/support/wait-for.ts';
import { type BrowserSession, formAction, type Page } from './browser-session.ts';

const PERIOD_MS = 30_000;
const stepNow = () => Math.floor(Date.now() / PERIOD_MS);

/**
 * The person's authenticator app, computing RFC 6238 codes as any app does. The server accepts a
 * code of the current time step or the one either side, each once: `code()` gives the next step it
 * has not used from now on (two are at hand per 30 s; a third waits for the clock to move on, a
 * condition, not a guess at how long the machine takes).
 */
export class Authenticator {
  readonly secret: string;
  private readonly totp: OTPAuth.TOTP;
  private lastStep = Number.NEGATIVE_INFINITY;

  constructor(secret: string) {
    this.secret = secret.replace(/\s/g, '');
    this.totp = new OTPAuth.TOTP({
      secret: OTPAuth.Secret.fromBase32(this.secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
  }

  /** The raw secret bytes (to check they are not stored in the clear). */
  get bytes(): Buffer {
    return Buffer.from(OTPAuth.Secret.fromBase32(this.secret).bytes);
  }

  /** A fresh code: of the current step or the next one, never one this authenticator gave before. */
  async code(): Promise<string> {
    await waitFor(
      'a time step with an unused code',
      () => Math.max(stepNow(), this.lastStep + 1) <= stepNow() + 1,
      45_000,
    );
    this.lastStep = Math.max(stepNow(), this.lastStep + 1);
    return this.totp.generate({ timestamp: this.lastStep * PERIOD_MS });
  }

  /** A code the server refuses: right format, none of the steps it would take now. */
  wrongCode(): string {
    const taken = new Set(
      [-1, 0, 1, 2].map((d) => this.totp.generate({ timestamp: (stepNow() + d) * PERIOD_MS })),
    );
    for (let n = 0; ; n++) {
      const code = String(n).padStart(6, '0');
      if (!taken.has(code)) return code;
    }
  }
}

/** The key shown as text on a setup page. */
export function secretOn(page: Page): string {
  const secret = /id="totp-secret"[^>]*>([^<]+)</.exec(page.html)?.[1];
  if (!secret) throw new Error(`no authenticator key on this page: ${page.html}`);
  return secret;
}

/** The recovery codes listed on the page that shows them once. */
export function recoveryCodesOn(page: Page): string[] {
  return [...page.html.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]!);
}

/**
 * From the account page: "Set up an authenticator app", the key read off the setup page, a code
 * typed: the authenticator, its recovery codes and the page that showed them.
 */
export async function setUpAuthenticator(
  browser: BrowserSession,
  accountPage: Page,
): Promise<{ authenticator: Authenticator; recoveryCodes: string[]; page: Page }> {
  const setup = await browser.post(
    formAction(accountPage.html, /\/account\/two-step\/setup$/),
    {},
    accountPage,
  );
  expect(setup.status, setup.html).to.equal(200);
  expect(setup.html).to.contain('<svg class="qr-code" role="img"');
  const authenticator = new Authenticator(secretOn(setup));
  const page = await browser.post('/account/two-step/confirm', { code: await authenticator.code() }, setup);
  expect(page.status, page.html).to.equal(200);
  const recoveryCodes = recoveryCodesOn(page);
  expect(recoveryCodes).to.have.length(10);
  return { authenticator, recoveryCodes, page };
}

/** Types a code (`code`) or a recovery code (`recovery`) on the sign-in's second-factor page. */
export function enterCode(
  browser: BrowserSession,
  page: Page,
  fields: { code: string } | { recovery: string },
): Promise<Page> {
  return browser.post(formAction(page.html, /\/second-factor$/), fields, page);
}

/** Whether the page is the second factor's code page. */
export const asksForCode = (page: Page): boolean =>
  !page.leftTo && /action="\/interaction\/[^"]+\/second-factor"/.test(page.html);
