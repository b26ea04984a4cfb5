import { expect } from 'chai';
import {
  newSignedInAccount,
  obtainTokens,
  refresh,
  revokableGrants,
  submit,
} from '../../support/accounts.ts';
import { BrowserSession, formAction, type Page } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** The hidden fields of the confirmation form on `page` (what its button posts). */
function confirmationFields(page: Page): Record<string, string> {
  const form = /<form method="post" action="[^"]+">([\s\S]*?)<\/form>/.exec(page.html)?.[1] ?? '';
  return Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
}

/**
 * Issue 18, item 3: every destructive action on the pages (revoke an app, sign out everywhere,
 * delete an app, delete an initial access token, unlink a provider) acts only on a second,
 * confirmed post; the first shows what will happen and does nothing.
 */
describe('pages: destructive actions are confirmed first, then acted on with a success message', () => {
  const stack = useAuthStack({ smtp: true, db: true, appClient: { client_name: 'Notes App' } });

  /** Posts the confirmation page's own form, as its button does. */
  const confirm = (browser: BrowserSession, page: Page) =>
    browser.post(formAction(page.html, /./), confirmationFields(page), null);

  it('revoking an app asks first, names the app and what happens, and the refresh token lives until confirmed', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const account = await browser.get('/account');
    const [grant] = revokableGrants(account);
    const asked = await submit(browser, account, /\/account\/apps\/revoke$/, { grant: grant! });
    expect(asked.status).to.equal(200);
    expect(asked.html).to.contain('<h1>Revoke access for Notes App?</h1>');
    expect(asked.html).to.contain('its access and refresh tokens stop working');
    expect(asked.html).to.contain('href="/account">Cancel</a>');
    expect(confirmationFields(asked)).to.include({ grant: grant!, confirmed: 'yes' });
    expect(revokableGrants(await browser.get('/account')), 'nothing happened yet').to.deep.equal([grant]);

    const done = await confirm(browser, asked);
    expect(done.html).to.contain('The app no longer has access to your account.');
    expect(revokableGrants(done)).to.have.length(0);
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
  });

  it('signing out everywhere asks first; the session survives the question, not the answer', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const asked = await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, {});
    expect(asked.html).to.contain('<h1>Sign out everywhere?</h1>');
    expect((await browser.get('/account')).html, 'still signed in').to.contain('Connected apps');
    const done = await confirm(browser, asked);
    expect(done.html).to.contain('Signed out everywhere');
    expect((await browser.get('/account')).html, 'signed out').to.contain('action="/interaction/');
  });

  it('deleting an app asks first with its client ID; the app works until confirmed', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const created = await browser.post(
      '/developers/apps',
      { name: 'Indexer', kind: 'm2m', 'scope:vectors:read': 'on' },
      await browser.get('/developers'),
    );
    const clientId = /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(created.html)![1]!;
    const secret = /id="client-secret">([^<]+)</.exec(created.html)![1]!;
    const credentials = { client_id: clientId, client_secret: secret };
    const asked = await browser.post(`/developers/apps/${clientId}/delete`, {}, created);
    expect(asked.html).to.contain('<h1>Delete Indexer?</h1>');
    expect(asked.html).to.contain(`client ID ${clientId}`);
    expect(asked.html).to.contain('This cannot be undone.');
    const still = await stack.server.clientCredentialsToken(credentials, { scope: 'vectors:read' });
    expect(still.status, 'not deleted by the question').to.equal(200);

    const done = await confirm(browser, asked);
    expect(done.html).to.contain('The app was deleted and its tokens and API keys revoked.');
    const gone = await stack.server.clientCredentialsToken(credentials, { scope: 'vectors:read' });
    expect(gone.status).to.equal(401);
  });

  it('lists initial access tokens without their value; deleting one asks first, then it no longer registers apps', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const console = await browser.get('/developers');
    const issued = await submit(browser, console, /initial-access-tokens$/, {});
    const value = /Bearer ([A-Za-z0-9_-]+)/.exec(issued.html)![1]!;
    const register = () =>
      fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${value}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'by API',
          grant_types: ['client_credentials'],
          redirect_uris: [],
        }),
      });
    const listed = await browser.get('/developers');
    expect(listed.html).to.contain('Delete the initial access token created');
    expect(listed.html, 'the value is shown only once').to.not.contain(value);

    const asked = await submit(browser, listed, /initial-access-tokens\/delete$/, {
      token: /name="token" value="([^"]+)"/.exec(listed.html)![1]!,
    });
    expect(asked.html).to.contain('<h1>Delete this initial access token?</h1>');
    expect((await register()).status, 'works until confirmed').to.equal(201);

    // Another person cannot delete it, even with its listed id.
    const intruder = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(intruder, stack.sink);
    const { token, confirmed } = confirmationFields(asked);
    const theirs = await intruder.post(
      '/developers/initial-access-tokens/delete',
      { token: token!, confirmed: confirmed! },
      await intruder.get('/developers'),
    );
    expect(theirs.html).to.contain('already deleted or has expired');
    expect((await register()).status).to.equal(201);

    // A made-up id (not even a UUID) is no token of theirs, not a database error.
    const madeUp = await browser.post(
      '/developers/initial-access-tokens/delete',
      { token: "x' or '1'='1", confirmed: 'yes' },
      await browser.get('/developers'),
    );
    expect(madeUp.status).to.equal(200);
    expect(madeUp.html).to.contain('already deleted or has expired');

    const done = await confirm(browser, asked);
    expect(done.html).to.contain('The initial access token was deleted. It no longer works.');
    expect(done.html).to.not.contain('Delete the initial access token created');
    expect((await register()).status).to.equal(401);
  });

  it('refuses a confirmation without a CSRF token', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const asked = await submit(browser, await browser.get('/account'), /sign-out-everywhere$/, {});
    const forged = await browser.post('/account/sign-out-everywhere', { confirmed: 'yes' }, null);
    expect(forged.status).to.equal(403);
    expect(asked.html).to.contain('Sign out everywhere?');
    expect((await browser.get('/account')).html, 'still signed in').to.contain('Connected apps');
  });
});
