import { expect } from 'chai';
import { accountRow, newSignedInAccount } from './accounts.ts';
import { BrowserSession, type Page } from './browser-session.ts';
import {
  type CreationOptions,
  type Forgery,
  type RequestOptions,
  SoftwarePasskey,
} from './software-passkey.ts';
import type { AuthStack } from './use-auth-stack.ts';

/**
 * What static/passkeys.js does in a browser, done by a test: read a page's passkey form, fetch the
 * ceremony's options, let a SoftwarePasskey answer, post the answer.
 */

export interface PasskeyForm {
  /** Where the answer is posted. */
  action: string;
  /** Where the options come from. */
  options: string;
  ceremony: 'register' | 'authenticate';
}

/** The page's passkey form, if it has one. */
export function passkeyFormOf(page: Page): PasskeyForm | undefined {
  const m =
    /<form method="post" action="([^"]+)" data-passkey="(register|authenticate)" data-options="([^"]+)"/.exec(
      page.html,
    );
  return m ? { action: m[1]!, ceremony: m[2] as PasskeyForm['ceremony'], options: m[3]! } : undefined;
}

/** The page offers a passkey (to add, or to sign in with). */
export const offersPasskey = (page: Page): boolean => passkeyFormOf(page) !== undefined;

/** The options endpoint's answer: its status and JSON (`options`, or `error` and `message`). */
export async function fetchPasskeyOptions<T = RequestOptions>(
  browser: BrowserSession,
  path: string,
  from: Page,
): Promise<{ status: number; options?: T; message?: string }> {
  const answer = await browser.post(path, {}, from);
  const body = JSON.parse(answer.html) as { options?: T; message?: string };
  return { status: answer.status, ...body };
}

/** Posts a ceremony's answer (or any text, as a forger would) to `action`. */
export function postPasskeyAnswer(
  browser: BrowserSession,
  action: string,
  answer: Record<string, unknown> | string,
  from: Page,
): Promise<Page> {
  const passkey_response = typeof answer === 'string' ? answer : JSON.stringify(answer);
  return browser.post(action, { passkey_response }, from);
}

/** The options of the page's passkey form (they must be given). */
async function optionsOf<T>(browser: BrowserSession, page: Page, form: PasskeyForm): Promise<T> {
  const fetched = await fetchPasskeyOptions<T>(browser, form.options, page);
  expect(fetched.status, fetched.message).to.equal(200);
  return fetched.options!;
}

/**
 * The page's passkey ceremony run through: adding `passkey` on the account page, or signing in
 * with it on the sign-in page or the second step; `forged` changes what the answer says.
 */
export async function usePasskey(
  browser: BrowserSession,
  page: Page,
  passkey: SoftwarePasskey,
  forged: Forgery = {},
): Promise<Page> {
  const form = passkeyFormOf(page);
  expect(form, 'the page offers a passkey').to.not.equal(undefined);
  const answer =
    form!.ceremony === 'register'
      ? passkey.register(await optionsOf<CreationOptions>(browser, page, form!), forged)
      : passkey.answer(await optionsOf<RequestOptions>(browser, page, form!), forged);
  return postPasskeyAnswer(browser, form!.action, answer, page);
}

/**
 * A verified account signed in on its account page in a new browser, with `passkey` (a new one
 * unless given) added there: the browser, the account, the passkey and the account page after.
 */
export async function personWithPasskey(
  stack: Pick<AuthStack, 'server' | 'sink' | 'db'>,
  passkey = new SoftwarePasskey(stack.server.issuer),
): Promise<{ browser: BrowserSession; email: string; id: string; passkey: SoftwarePasskey; page: Page }> {
  const browser = new BrowserSession(stack.server.issuer);
  const { email, page: accountPage } = await newSignedInAccount(browser, stack.sink);
  const page = await usePasskey(browser, accountPage, passkey);
  expect(page.html, page.html).to.contain('The passkey was added.');
  const id = (await accountRow(stack.db, email))!.id;
  return { browser, email, id, passkey, page };
}
