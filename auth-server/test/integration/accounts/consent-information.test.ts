import { expect } from 'chai';
import { accountRow, createAppClient, newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession, type Page } from '../../support/browser-session.ts';
import { authorizationRequest } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/** The visible text of a page's main element (inline tags dropped, block tags a space), entities decoded, spaces folded. */
const textOf = (page: Page) =>
  (/<main[^>]*>([\s\S]*)<\/main>/.exec(page.html)?.[1] ?? '')
    .replace(/<\/?(?:strong|a|span|code)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/**
 * Issue 18, item 2: the consent page says who registered the app, links what it registered about
 * itself (https only, as text), shows the scopes in plain words grouped read/write/delete, the
 * account in use with a way to switch, and what can be undone later.
 */
describe('consent that informs: who registered the app, its pages, grouped scopes, the account, the way back', () => {
  const stack = useAuthStack({ smtp: true, db: true });

  /**
   * A signed-in developer with an initial access token made in the console, and RFC 7591
   * registration of a public app with it.
   */
  async function developerWithConsoleToken() {
    const developer = new BrowserSession(stack.server.issuer);
    const { email: developerEmail } = await newSignedInAccount(developer, stack.sink);
    const issued = await developer.post(
      '/developers/initial-access-tokens',
      {},
      await developer.get('/developers'),
    );
    const token = /Bearer ([A-Za-z0-9_-]+)/.exec(issued.html)![1]!;
    const register = (name: string, redirectUri: string) =>
      fetch(`${stack.server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: name,
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'none',
          scope: 'vectors:read',
        }),
      });
    return { developer, developerEmail, register };
  }

  it('an operator-registered third-party app: its https pages as text links, grouped scopes, switch and undo', async () => {
    const client = await createAppClient(stack.server, {
      client_uri: 'https://notes.example',
      policy_uri: 'https://notes.example/privacy',
      tos_uri: 'https://notes.example/terms',
      logo_uri: 'https://notes.example/logo.png',
      scope: 'openid vectors:read vectors:write vectors:delete',
    });
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const page = await browser.get(
      authorizationRequest(client, { scope: 'openid vectors:read vectors:write vectors:delete' }),
    );
    const text = textOf(page);
    expect(text).to.contain('Notes App Third-party app wants access to your account.');
    expect(text).to.contain('Registered by the operator of this service');
    expect(text).to.contain(`It will send you back to ${new URL(client.redirectUri).host}.`);
    expect(page.html).to.contain('<a href="https://notes.example" rel="noopener noreferrer">Website</a>');
    expect(page.html).to.contain(
      '<a href="https://notes.example/privacy" rel="noopener noreferrer">Privacy policy</a>',
    );
    expect(page.html).to.contain(
      '<a href="https://notes.example/terms" rel="noopener noreferrer">Terms of service</a>',
    );
    expect(page.html).to.contain(
      '<a href="https://notes.example/logo.png" rel="noopener noreferrer">Logo</a>',
    );
    expect(page.html, 'nothing of the app is loaded into the page').to.not.contain('<img');
    expect(text).to.match(
      /See Know who you are Read your vector collections and search them Change Create collections/,
    );
    expect(text).to.contain('Delete Delete your collections and vectors');
    expect(text).to.contain(`Signed in as ${email}. Not you? Switch account`);
    expect(page.html).to.match(/href="\/interaction\/[\w-]+\/switch"/);
    expect(text).to.contain('You can withdraw this access at any time under Connected apps');
  });

  it('a console-registered app names the developer account that registered it', async () => {
    const developer = new BrowserSession(stack.server.issuer);
    const { email: developerEmail } = await newSignedInAccount(developer, stack.sink);
    const redirectUri = 'https://console-app.example/cb';
    const created = await developer.post(
      '/developers/apps',
      { name: 'Console App', kind: 'spa', redirect_uris: redirectUri, 'scope:vectors:read': 'on' },
      await developer.get('/developers'),
    );
    const clientId = /<dt>Client ID<\/dt><dd><code>([^<]+)</.exec(created.html)![1]!;

    const person = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(person, stack.sink);
    const page = await person.get(
      authorizationRequest({ client_id: clientId, redirectUri }, { scope: 'vectors:read' }),
    );
    expect(textOf(page)).to.contain(
      `Registered by a developer account with a confirmed e-mail address: ${developerEmail}.`,
    );
    expect(textOf(page)).to.contain('It will send you back to console-app.example.');
  });

  it('"Switch account" asks the same authorization request again with prompt=login', async () => {
    const client = await createAppClient(stack.server);
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const page = await browser.get(authorizationRequest(client, { state: 'keep-me' }));
    const switchHref = /href="(\/interaction\/[\w-]+\/switch)"/.exec(page.html)![1]!;
    const signInAgain = await browser.get(switchHref);
    expect(signInAgain.html, 'the sign-in page, though someone is signed in').to.contain(
      'action="/interaction/',
    );
    expect(signInAgain.html).to.match(/action="\/interaction\/[\w-]+\/login"/);
    const asked = browser.responses.find((r) => r.url.includes('/auth?') && r.url.includes('prompt=login'));
    expect(asked, 'a new authorization request with prompt=login').to.not.equal(undefined);
    const params = new URL(asked!.url).searchParams;
    expect(params.get('state')).to.equal('keep-me');
    expect(params.get('client_id')).to.equal(client.client_id);
    expect(params.get('redirect_uri')).to.equal(client.redirectUri);

    // Someone else's browser with the link re-issues nothing: the step is not theirs.
    const stranger = new BrowserSession(stack.server.issuer);
    const refused = await stranger.get(switchHref);
    expect(refused.status).to.equal(400);
    expect(refused.leftTo).to.equal(undefined);
    expect(stranger.responses.some((r) => r.url.includes('/auth?'))).to.equal(false);
  });

  it('an app registered over RFC 7591 with a console token belongs to that developer: in their console, named on consent', async () => {
    const { developer, developerEmail, register } = await developerWithConsoleToken();
    const redirectUri = 'https://by-api.example/cb';
    const registered = await register('By API', redirectUri);
    expect(registered.status).to.equal(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    expect((await developer.get('/developers')).html).to.contain(clientId);

    const person = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(person, stack.sink);
    const page = await person.get(
      authorizationRequest({ client_id: clientId, redirectUri }, { scope: 'vectors:read' }),
    );
    expect(textOf(page)).to.contain(
      `Registered by a developer account with a confirmed e-mail address: ${developerEmail}.`,
    );
  });

  it('a disabled developer vouches for nothing: their console tokens die and their apps are shown unverified', async () => {
    const { developerEmail, register } = await developerWithConsoleToken();
    const redirectUri = 'https://vouched.example/cb';
    const { client_id: clientId } = (await (await register('Vouched', redirectUri)).json()) as {
      client_id: string;
    };
    const account = (await accountRow(stack.db, developerEmail))!;
    expect((await stack.server.admin('POST', `/admin/users/${account.id}/disable`)).status).to.equal(204);

    expect(
      (await register('Later', 'https://later.example/cb')).status,
      'the token died with the account',
    ).to.equal(401);
    const person = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(person, stack.sink);
    const page = await person.get(
      authorizationRequest({ client_id: clientId, redirectUri }, { scope: 'vectors:read' }),
    );
    expect(textOf(page)).to.contain(
      'Unverified app: the developer account that registered it is no longer active',
    );
    expect(textOf(page)).to.not.contain(developerEmail);
  });
});
