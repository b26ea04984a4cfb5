import { expect } from 'chai';
import { accountRow, newEmail, obtainTokens, PASSWORD } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { signUpVerified } from '../../support/code-flow.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import { loggedEvent, newRequestId, rowsOf, theEvent, who } from './audit-support.ts';

type Client = { client_id: string; client_secret: string };

describe('audit trail: token and grant revocation', () => {
  const stack = useAuthStack({
    env: { REFRESH_TOKEN_REUSE_GRACE_SEC: '0' },
    smtp: true,
    db: true,
    appClient: true,
    logs: 'info',
  });

  /** A form POST to the public port, authenticated as `client`, with our request id. */
  async function post(path: string, client: Client, fields: Record<string, string>, requestId: string) {
    return fetch(`${stack.server.issuer}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-request-id': requestId,
      },
      body: new URLSearchParams(fields),
    });
  }

  async function userTokens() {
    const browser = new BrowserSession(stack.server.issuer);
    const email = newEmail('audit-tokens');
    await signUpVerified(browser, stack.sink, email, PASSWORD);
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    return { tokens, accountId: (await accountRow(stack.db, email))!.id };
  }

  it('records an RFC 7009 revocation of a JWT access token by its client', async () => {
    const m2m = await stack.server.createClient({
      client_name: 'audited m2m',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    const res = await stack.server.clientCredentialsToken(m2m, { scope: 'vectors:read' });
    const { access_token } = (await res.json()) as { access_token: string };
    const requestId = newRequestId('revoke-jwt');
    expect((await post('/token/revocation', m2m, { token: access_token }, requestId)).status).to.equal(200);
    const revoked = await theEvent(stack.db, requestId, 'token.revoked');
    expect(who(revoked)).to.deep.equal({
      outcome: 'success',
      actor_type: 'client',
      actor_id: m2m.client_id,
      subject_type: 'client',
      subject_id: m2m.client_id,
    });
    expect(revoked.client_id).to.equal(m2m.client_id);
    expect(revoked.detail.kind).to.equal('JwtAccessToken');
    expect(revoked.detail.jti).to.be.a('string');
    expect(loggedEvent(stack.logs, requestId, 'token.revoked')).to.equal(true);
  });

  it('records an RFC 7009 revocation of a refresh token, without the token', async () => {
    const { tokens, accountId } = await userTokens();
    const requestId = newRequestId('revoke-refresh');
    const res = await post('/token/revocation', stack.client, { token: tokens.refresh_token }, requestId);
    expect(res.status).to.equal(200);
    const revoked = await theEvent(stack.db, requestId, 'token.revoked');
    expect(who(revoked)).to.deep.equal({
      outcome: 'success',
      actor_type: 'client',
      actor_id: stack.client.client_id,
      subject_type: 'user',
      subject_id: accountId,
    });
    expect(revoked.detail.kind).to.equal('RefreshToken');
    expect(revoked.detail.grant_id).to.be.a('string');
    expect((await rowsOf(stack.db, requestId)).map((r) => r.action)).to.deep.equal(['token.revoked']);
    const { rows } = await stack.db.query(
      'select count(*)::int as n from audit_event a where strpos(a::text, $1) > 0',
      [tokens.refresh_token],
    );
    expect(rows[0].n).to.equal(0);
  });

  it('records the grant revoked when a used refresh token comes back', async () => {
    const { tokens, accountId } = await userTokens();
    const first = await post(
      '/token',
      stack.client,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      newRequestId('refresh'),
    );
    expect(first.status).to.equal(200);
    const requestId = newRequestId('reuse');
    const again = await post(
      '/token',
      stack.client,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      requestId,
    );
    expect(again.status).to.equal(400);
    const revoked = await theEvent(stack.db, requestId, 'grant.revoked');
    expect(who(revoked)).to.deep.equal({
      outcome: 'success',
      actor_type: 'client',
      actor_id: stack.client.client_id,
      subject_type: 'user',
      subject_id: accountId,
    });
    expect(revoked.detail).to.include({ reason: 'reused' });
    expect(revoked.detail.grant_id).to.be.a('string');
  });
});
