import { expect } from 'chai';
import { authorize, newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizeUrl, newPkce, redeem } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('PKCE and exact redirect_uri matching', () => {
  const stack = useAuthStack({ smtp: true, appClient: true });
  /** Signed in, with consent already given: any request that is let through ends with a code at once. */
  let browser: BrowserSession;
  let email: string;

  before(async () => {
    browser = new BrowserSession(stack.server.issuer);
    ({ email } = await newSignedInAccount(browser, stack.sink));
    await authorize(browser, stack.client, { email, scope: 'openid vectors:read' });
  });

  const request = (params: Record<string, string>) =>
    authorizeUrl({
      client_id: stack.client.client_id,
      redirect_uri: stack.client.redirectUri,
      scope: 'openid vectors:read',
      ...params,
    });

  const exchange = (code: string, verifier: string, redirectUri = stack.client.redirectUri) =>
    redeem(stack.server, stack.client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });

  describe('PKCE', () => {
    it('the happy path issues a code without asking again (control for the cases below)', async () => {
      const pkce = newPkce();
      const page = await browser.get(
        request({ code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      );
      const code = page.leftTo?.searchParams.get('code');
      expect(code).to.be.a('string');
      expect((await exchange(code!, pkce.verifier)).status).to.equal(200);
    });

    const refusedRequests: [
      string,
      (p: { verifier: string; challenge: string }) => Record<string, string>,
    ][] = [
      ['without code_challenge', () => ({})],
      ['without code_challenge but with a method', () => ({ code_challenge_method: 'S256' })],
      ['with the plain method', (p) => ({ code_challenge: p.verifier, code_challenge_method: 'plain' })],
      ['with a challenge but no method (plain by default)', (p) => ({ code_challenge: p.verifier })],
      ['with a malformed challenge', () => ({ code_challenge: 'short', code_challenge_method: 'S256' })],
    ];
    for (const [what, params] of refusedRequests) {
      it(`refuses an authorization request ${what}: no code, invalid_request at the registered redirect_uri`, async () => {
        const page = await browser.get(request(params(newPkce())));
        expect(page.leftTo, page.html).not.to.equal(undefined);
        expect(page.leftTo!.origin + page.leftTo!.pathname).to.equal(stack.client.redirectUri);
        expect(page.leftTo!.searchParams.get('code')).to.equal(null);
        expect(page.leftTo!.searchParams.get('error')).to.equal('invalid_request');
      });
    }

    it('refuses a code redeemed with a wrong code_verifier, or none', async () => {
      const pkce = newPkce();
      const page = await browser.get(
        request({ code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      );
      const code = page.leftTo!.searchParams.get('code')!;
      const wrong = await exchange(code, newPkce().verifier);
      expect(wrong.status).to.equal(400);
      expect(await wrong.json()).to.include({ error: 'invalid_grant' });
      const none = await redeem(stack.server, stack.client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: stack.client.redirectUri,
      });
      expect(none.status).to.equal(400);
      // The challenge itself is not the verifier either.
      expect((await exchange(code, pkce.challenge)).status).to.equal(400);
    });

    it('refuses a code redeemed with the verifier of another code', async () => {
      const [a, b] = [newPkce(), newPkce()];
      const codeA = (
        await browser.get(request({ code_challenge: a.challenge, code_challenge_method: 'S256' }))
      ).leftTo!.searchParams.get('code')!;
      const codeB = (
        await browser.get(request({ code_challenge: b.challenge, code_challenge_method: 'S256' }))
      ).leftTo!.searchParams.get('code')!;
      const swappedA = await exchange(codeA, b.verifier);
      const swappedB = await exchange(codeB, a.verifier);
      expect(swappedA.status).to.equal(400);
      expect(swappedB.status).to.equal(400);
      expect(await swappedA.json()).to.include({ error: 'invalid_grant' });
    });
  });

  describe('redirect_uri', () => {
    const mismatches: [string, (registered: string) => string][] = [
      ['a trailing slash', (r) => `${r}/`],
      ['an added query', (r) => `${r}?next=https://evil.example`],
      ['another host', () => 'https://evil.example/cb'],
      ['another scheme', (r) => r.replace('https:', 'http:')],
      ['a fragment', (r) => `${r}#frag`],
      ['an empty fragment', (r) => `${r}#`],
      ['an upper-case host', (r) => r.replace('https://app', 'https://APP')],
      ['a user-info trick', (r) => `${r.replace('/cb', '')}@evil.example/cb`],
      ['a dot segment', (r) => `${r}/../evil`],
      ['a sub-domain of the registered host', (r) => r.replace('https://', 'https://evil.')],
    ];
    for (const [what, variant] of mismatches) {
      it(`with ${what}: an error page, never a redirect (signed out and signed in)`, async () => {
        const pkce = newPkce();
        const url = authorizeUrl({
          client_id: stack.client.client_id,
          redirect_uri: variant(stack.client.redirectUri),
          scope: 'openid vectors:read',
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        });
        const signedOut = await fetch(`${stack.server.issuer}${url}`, { redirect: 'manual' });
        expect(signedOut.status).to.equal(400);
        expect(signedOut.headers.get('location')).to.equal(null);
        const html = await signedOut.text();
        expect(html).to.contain('This request cannot be completed');
        expect(html).to.contain('redirect_uri');

        const page = await browser.get(url);
        expect(page.leftTo, `a signed-in person was sent to ${page.leftTo?.href}`).to.equal(undefined);
        expect(page.status).to.equal(400);
        expect(page.html).not.to.contain('code=');
      });
    }

    it('refuses a code redeemed with another redirect_uri than the one it was issued for', async () => {
      const pkce = newPkce();
      const code = (
        await browser.get(request({ code_challenge: pkce.challenge, code_challenge_method: 'S256' }))
      ).leftTo!.searchParams.get('code')!;
      for (const other of [
        `${stack.client.redirectUri}/`,
        `${stack.client.redirectUri}?x=1`,
        'https://evil.example/cb',
      ]) {
        const res = await exchange(code, pkce.verifier, other);
        expect(res.status, other).to.equal(400);
        expect(await res.json()).to.include({ error: 'invalid_grant' });
      }
    });
  });
});
