import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { authorize, newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { confirmLogout, redeem } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)', () => {
  const stack = useAuthStack({ smtp: true, db: true });

  it('signs the person out and sends them to the registered post_logout_redirect_uri with state', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    // A client that registered where it may send people after logout (RFC 7591 metadata).
    const origin = `https://notes-${randomBytes(4).toString('hex')}.example`;
    const bye = `${origin}/signed-out`;
    const registered = await stack.server.createClient({
      client_name: 'Notes App',
      redirect_uris: [`${origin}/cb`],
      post_logout_redirect_uris: [bye],
      scope: 'openid email vectors:read',
    });
    const app = { ...registered, redirectUri: `${origin}/cb` };
    const { code, verifier } = await authorize(browser, app, { scope: 'openid email', email });
    const tokens = (await (
      await redeem(stack.server, app, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      })
    ).json()) as { id_token: string };
    expect(tokens.id_token).to.be.a('string');
    const sessionsBefore = await sessionCount(email);
    expect(sessionsBefore, 'signed in').to.equal(1);

    const state = randomBytes(12).toString('base64url');
    const confirm = await browser.get(
      `/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: bye, state })}`,
    );
    expect(confirm.status, confirm.html).to.equal(200);
    expect(confirm.html).to.contain('Do you want to sign out').and.contain('Notes App');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)?.[1];
    expect(xsrf, 'the confirmation form carries its xsrf token').to.be.a('string');

    // The person presses "Yes, sign me out": the form posts to the provider's confirm endpoint.
    const res = await confirmLogout(browser, confirm, xsrf!);
    expect(res.status, await res.clone().text()).to.equal(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).to.equal(bye);
    expect(location.searchParams.get('state')).to.equal(state);

    // Signed out: the session is gone, and the account page asks to sign in again.
    expect(await sessionCount(email)).to.equal(0);
    const account = await browser.get('/account');
    expect(account.html, 'asks to sign in').to.contain('action="/interaction/');
  });

  async function sessionCount(email: string): Promise<number> {
    const { rows } = await stack.db.query(
      `select count(*)::int as n from oidc_model m join account a on m.payload->>'accountId' = a.id::text
        where m.model = 'Session' and a.email = $1`,
      [email.toLowerCase()],
    );
    return rows[0].n as number;
  }
});
