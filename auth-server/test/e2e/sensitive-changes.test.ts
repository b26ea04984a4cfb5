import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { expectLogLines } from '../../../shared/test/support/expected-log-lines.ts';
import { signInOnPage, signUpOnPage, useChromiumPage, waitForHeading } from '../support/chromium.ts';
import { ageSessions } from '../support/session-age.ts';
import { useSpawnedStack } from '../support/spawned-stack.ts';

const PASSWORD = 'a long enough passphrase';

/**
 * Sensitive changes as a person meets them, in real Chromium against the real processes: with a
 * session that signed in an hour ago, creating an API key and setting up an authenticator are
 * each refused with a way to sign in again, which asks for the password even though signed in and
 * comes back; changing the password needs the current one. Afterwards the key works at the vector API.
 */
describe('e2e in Chromium: sensitive changes need a fresh sign-in', function () {
  // The password change with a wrong current password is refused on purpose (audited as a failure).
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'audit user.password_changed' }]);
  this.timeout(180_000);
  const spawned = useSpawnedStack({ smtp: true, env: { BCRYPT_COST: '10' } });
  const chromium = useChromiumPage('https://app.example', '<h1>app</h1>');
  let db: pg.Pool;
  before(() => {
    db = new pg.Pool({ connectionString: spawned.stack.env.DATABASE_URL, max: 1 });
  });
  after(() => db?.end());

  const heading = waitForHeading;
  /** The person's sessions signed in an hour ago, as far as the server can tell. */
  const ageSessionsOf = async (email: string) => {
    const { rows } = await db.query('select id::text as id from account where email = $1', [email]);
    await ageSessions(db, rows[0].id, 3600);
  };

  const signIn = (page: Page, email: string) => signInOnPage(page, email, PASSWORD);

  it('an hour-old session signs in again before an API key or an authenticator; the password change asks for the current one', async () => {
    const email = `fresh-${randomUUID()}@example.com`;
    const page = await chromium.newPage(375);
    await signUpOnPage(page, spawned.stack.issuer, spawned.sink, email, PASSWORD);
    await page.goto(`${spawned.stack.issuer}/account`);
    await signIn(page, email);
    await heading(page, 'Your account');

    // An API key: refused to the old session, made after signing in again.
    await ageSessionsOf(email);
    await page.getByRole('link', { name: 'API keys' }).click();
    await heading(page, 'API keys');
    expect(await page.getByRole('button', { name: 'Create key' }).count()).to.equal(0);
    await page.getByRole('link', { name: 'Sign in again to create a key' }).click();
    await signIn(page, email);
    await heading(page, 'API keys');
    await page.getByLabel('Name').fill('laptop script');
    await page.getByLabel(/^vectors:read/).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await heading(page, 'Your new API key');
    const key = await page.locator('#api-key').inputValue();
    expect(key).to.match(/^vak_[0-9A-Za-z]{42}$/);
    const res = await fetch(`${spawned.stack.vectorUrl}/v1/collections`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).to.equal(200);

    // An authenticator: the same.
    await ageSessionsOf(email);
    await page.goto(`${spawned.stack.issuer}/account`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await heading(page, 'Confirm it is you');
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signIn(page, email);
    await heading(page, 'Your account');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await heading(page, 'Set up two-step sign-in');

    // The password: only with the current one.
    await page.goto(`${spawned.stack.issuer}/account`);
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('#current-error').innerText()).to.not.equal('');
    await page.context().close();
  });
});
