import { expect } from 'chai';
import type pg from 'pg';
import {
  accountRow,
  authorize,
  countModels,
  createAppClient,
  newEmail,
  newSignedInAccount,
  obtainTokens,
  openDatabase,
  refresh,
  type TestClient,
} from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { redeem } from '../../support/code-flow.ts';
import { type SmtpSink, startSmtpSink } from '../../support/smtp-sink.ts';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';

// Strict rotation (no grace window): any second presentation of a token is reuse. The grace
// window for lost answers (the default) is covered by refresh-rotation.test.ts.
describe('refresh tokens: rotation and reuse detection under concurrency', () => {
  let sink: SmtpSink;
  let server: TestAuthServer;
  let db: pg.Pool;
  let client: TestClient;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestAuthServer({ SMTP_URL: sink.url, REFRESH_TOKEN_REUSE_GRACE_SEC: '0' });
    db = openDatabase();
    client = await createAppClient(server);
  });
  after(async () => {
    await server.close();
    await sink.close();
    await db.end();
  });

  it('10 parallel refreshes with one token: exactly one wins, and the race revokes the whole grant', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink, newEmail('race'));
    const tokens = await obtainTokens(server, browser, client, { email });
    const account = await accountRow(db, email);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refresh(server, client, tokens.refresh_token)),
    );
    const won = answers.filter((r) => r.status === 200);
    expect(won, 'exactly one refresh succeeds').to.have.length(1);
    for (const lost of answers.filter((r) => r.status !== 200)) {
      expect(lost.status).to.equal(400);
      expect(await lost.json()).to.include({ error: 'invalid_grant' });
    }
    const winner = (await won[0]!.json()) as { refresh_token: string };

    // A spent token was presented again: whoever holds the winning chain may be the thief.
    const next = await refresh(server, client, winner.refresh_token);
    expect(next.status, 'the surviving chain is revoked with its grant').to.equal(400);
    expect(await countModels(db, 'Grant', account!.id, client.client_id)).to.equal(0);
  });

  it('a spent refresh token presented later revokes the rotated one too', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const tokens = await obtainTokens(server, browser, client, { email });
    const first = await refresh(server, client, tokens.refresh_token);
    expect(first.status).to.equal(200);
    const rotated = (await first.json()) as { refresh_token: string };
    expect((await refresh(server, client, tokens.refresh_token)).status).to.equal(400);
    expect((await refresh(server, client, rotated.refresh_token)).status).to.equal(400);
  });

  it('10 parallel redemptions of one authorization code: exactly one wins, and its tokens are revoked', async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const { code, verifier } = await authorize(browser, client, { email, prompt: 'consent' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        redeem(server, client, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: client.redirectUri,
          code_verifier: verifier,
        }),
      ),
    );
    const won = answers.filter((r) => r.status === 200);
    expect(won).to.have.length(1);
    const tokens = (await won[0]!.json()) as { refresh_token: string };
    // RFC 6749 4.1.2: a code used twice SHOULD revoke every token issued from it.
    expect((await refresh(server, client, tokens.refresh_token)).status).to.equal(400);
  });

  it("refuses another client's refresh token and leaves it usable by its owner", async () => {
    const browser = new BrowserSession(server.issuer);
    const { email } = await newSignedInAccount(browser, sink);
    const tokens = await obtainTokens(server, browser, client, { email });
    const other = await createAppClient(server);
    const stolen = await refresh(server, other, tokens.refresh_token);
    expect(stolen.status).to.equal(400);
    expect(await stolen.json()).to.include({ error: 'invalid_grant' });
    expect((await refresh(server, client, tokens.refresh_token)).status).to.equal(200);
  });
});
