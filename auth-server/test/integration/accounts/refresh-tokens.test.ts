import { expect } from 'chai';
import {
  accountRow,
  authorize,
  countModels,
  createAppClient,
  newEmail,
  newSignedInAccount,
  obtainTokens,
  refresh,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { redeem } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

// Strict rotation (no grace window): any second presentation of a token is reuse. The grace
// window for lost answers (the default) is covered by refresh-rotation.test.ts.
describe('refresh tokens: rotation and reuse detection under concurrency', () => {
  const stack = useAuthStack({
    env: { REFRESH_TOKEN_REUSE_GRACE_SEC: '0' },
    smtp: true,
    db: true,
    appClient: true,
  });

  it('10 parallel refreshes with one token: exactly one wins, and the race revokes the whole grant', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink, newEmail('race'));
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const account = await accountRow(stack.db, email);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refresh(stack.server, stack.client, tokens.refresh_token)),
    );
    const won = answers.filter((r) => r.status === 200);
    expect(won, 'exactly one refresh succeeds').to.have.length(1);
    for (const lost of answers.filter((r) => r.status !== 200)) {
      expect(lost.status).to.equal(400);
      expect(await lost.json()).to.include({ error: 'invalid_grant' });
    }
    const winner = (await won[0]!.json()) as { refresh_token: string };

    // A spent token was presented again: whoever holds the winning chain may be the thief.
    const next = await refresh(stack.server, stack.client, winner.refresh_token);
    expect(next.status, 'the surviving chain is revoked with its grant').to.equal(400);
    expect(await countModels(stack.db, 'Grant', account!.id, stack.client.client_id)).to.equal(0);
  });

  it('a spent refresh token presented later revokes the rotated one too', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const first = await refresh(stack.server, stack.client, tokens.refresh_token);
    expect(first.status).to.equal(200);
    const rotated = (await first.json()) as { refresh_token: string };
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
    expect((await refresh(stack.server, stack.client, rotated.refresh_token)).status).to.equal(400);
  });

  it('10 parallel redemptions of one authorization code: exactly one wins, and its tokens are revoked', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const { code, verifier } = await authorize(browser, stack.client, { email, prompt: 'consent' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        redeem(stack.server, stack.client, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: stack.client.redirectUri,
          code_verifier: verifier,
        }),
      ),
    );
    const won = answers.filter((r) => r.status === 200);
    expect(won).to.have.length(1);
    const tokens = (await won[0]!.json()) as { refresh_token: string };
    // RFC 6749 4.1.2: a code used twice SHOULD revoke every token issued from it.
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(400);
  });

  it("refuses another client's refresh token and leaves it usable by its owner", async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const other = await createAppClient(stack.server);
    const stolen = await refresh(stack.server, other, tokens.refresh_token);
    expect(stolen.status).to.equal(400);
    expect(await stolen.json()).to.include({ error: 'invalid_grant' });
    expect((await refresh(stack.server, stack.client, tokens.refresh_token)).status).to.equal(200);
  });
});
