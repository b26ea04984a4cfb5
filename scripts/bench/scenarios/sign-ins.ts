import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { BrowserSession, formAction } from '../../../auth-server/test/support/browser-session.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';

/**
 * Sign-ins per second through the real pages: a fresh browser opens /account, is sent through an
 * authorization request to the sign-in form, posts the password (one bcrypt compare at the
 * server's BCRYPT_COST, in its worker pool) and lands on the account page.
 */
export async function benchSignIns(
  options: { issuer: string; databaseUrl: string },
  load: LoadOptions,
): Promise<LoadResult> {
  const email = `bench-${randomUUID()}@example.com`;
  const password = 'bench passphrase for sign-ins';
  const setup = new BrowserSession(options.issuer);
  const form = await setup.get('/signup');
  await setup.post('/signup', { email, password }, form);
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const { rowCount } = await db.query('update account set email_verified = true where email = $1', [email]);
    if (rowCount !== 1) throw new Error('the bench account was not created');
  } finally {
    await db.end();
  }
  return runLoad(load, async () => {
    const browser = new BrowserSession(options.issuer);
    const signInPage = await browser.get('/account');
    const done = await browser.post(formAction(signInPage.html, /\/login$/), { email, password }, signInPage);
    if (done.status !== 200 || !done.html.includes('Connected apps'))
      throw new Error(`sign-in failed: ${done.status}`);
  });
}
