import { randomUUID } from 'node:crypto';
import { createOrm } from '@vectorauth/shared';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { AUTH_MIGRATIONS } from '../../../src/index.ts';
import { undoRotation } from '../../../src/oidc/postgres-adapter.ts';
import { newEmail, newSignedInAccount, obtainTokens, refresh, type Tokens } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

/**
 * Refresh-token rotation is all or nothing (README, "Refresh tokens"): a failure between
 * consuming the old token and saving its successor leaves the old one usable; a retry within the
 * grace window (a lost answer) gets the same successor; after it, or once the successor was used,
 * the old token is reuse and the family goes. Never two usable tokens in one family.
 */
describe('refresh tokens: rotation all or nothing', function () {
  // The locked account table answers 503 and logs it once as a warning.
  expectLogLines([{ service: 'auth-server', level: 'warn', msg: 'database unavailable' }]);
  this.timeout(60_000);
  const stack = useAuthStack({ smtp: true, db: true, appClient: true });

  const family = async (): Promise<{ tokens: Tokens; grantId: string }> => {
    const browser = new BrowserSession(stack.server.issuer);
    const { email } = await newSignedInAccount(browser, stack.sink, newEmail('rotation'));
    const tokens = await obtainTokens(stack.server, browser, stack.client, { email });
    const { rows } = await stack.db.query<{ grant_id: string }>(
      `select grant_id from oidc_model where model = 'RefreshToken' and id = $1`,
      [tokens.refresh_token],
    );
    return { tokens, grantId: rows[0]!.grant_id };
  };
  /** Refresh tokens of the family that can still be redeemed. */
  const usable = async (grantId: string): Promise<number> => {
    const { rows } = await stack.db.query<{ n: number }>(
      `select count(*)::int as n from oidc_model
        where model = 'RefreshToken' and grant_id = $1 and consumed_at is null and expires_at > now()`,
      [grantId],
    );
    return rows[0]!.n;
  };
  const ok = async (res: Response): Promise<Tokens> => {
    expect(res.status, await res.clone().text()).to.equal(200);
    return (await res.json()) as Tokens;
  };

  it('a connection killed between consuming the old token and saving the new one leaves the old one usable', async () => {
    const { tokens, grantId } = await family();
    // The successor's INSERT kills its own connection (a real FATAL 57P01 mid-rotation).
    const fn = `kill_rotation_${randomUUID().replace(/-/g, '')}`;
    await stack.db.query(`create function ${fn}() returns trigger language plpgsql as $$
      begin
        if new.model = 'RefreshToken' and new.grant_id = '${grantId}' then
          perform pg_terminate_backend(pg_backend_pid());
          perform pg_sleep(10);
        end if;
        return new;
      end $$`);
    await stack.db.query(
      `create trigger ${fn} before insert on oidc_model for each row execute function ${fn}()`,
    );
    try {
      const failed = await refresh(stack.server, stack.client, tokens.refresh_token);
      expect(failed.status).to.equal(503);
      expect(failed.headers.get('retry-after')).to.equal('1');
      expect(await failed.json()).to.include({ error: 'temporarily_unavailable' });
    } finally {
      await stack.db.query(`drop trigger ${fn} on oidc_model`);
      await stack.db.query(`drop function ${fn}()`);
    }
    expect(await usable(grantId), 'the old token was not consumed').to.equal(1);

    const rotated = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    expect(await usable(grantId)).to.equal(1);
    await ok(await refresh(stack.server, stack.client, rotated.refresh_token));
  });

  it('a retry within the grace window (lost answer) gets the same successor; one usable token in the family', async () => {
    const { tokens, grantId } = await family();
    const lost = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    const retried = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    expect(retried.refresh_token).to.equal(lost.refresh_token);
    expect(await usable(grantId)).to.equal(1);

    const next = await ok(await refresh(stack.server, stack.client, retried.refresh_token));
    // The successor was used: the old token presented now is reuse, grace window or not.
    const reuse = await refresh(stack.server, stack.client, tokens.refresh_token);
    expect(reuse.status).to.equal(400);
    expect(await reuse.json()).to.include({ error: 'invalid_grant' });
    expect(
      (await refresh(stack.server, stack.client, next.refresh_token)).status,
      'the family is revoked',
    ).to.equal(400);
    expect(await usable(grantId)).to.equal(0);
  });

  it('10 parallel refreshes with one token within the window all get the same successor', async () => {
    const { tokens, grantId } = await family();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refresh(stack.server, stack.client, tokens.refresh_token)),
    );
    const issued = await Promise.all(answers.map(ok));
    expect(new Set(issued.map((t) => t.refresh_token)).size).to.equal(1);
    expect(await usable(grantId)).to.equal(1);
    await ok(await refresh(stack.server, stack.client, issued[0]!.refresh_token));
    expect(await usable(grantId)).to.equal(1);
  });

  it('after the grace window the old token is reuse: the family is revoked', async () => {
    const { tokens, grantId } = await family();
    const rotated = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    // The window has passed (rather than waiting for it).
    await stack.db.query(
      `update oidc_model set consumed_at = consumed_at - make_interval(secs => $2::int)
        where model = 'RefreshToken' and id = $1`,
      [tokens.refresh_token, stack.server.config.tokens.refreshTokenReuseGraceSec + 1],
    );
    const reuse = await refresh(stack.server, stack.client, tokens.refresh_token);
    expect(reuse.status).to.equal(400);
    expect(await reuse.json()).to.include({ error: 'invalid_grant' });
    expect((await refresh(stack.server, stack.client, rotated.refresh_token)).status).to.equal(400);
    expect(await usable(grantId)).to.equal(0);
  });

  it('a rotation undone (its answer failed after the commit) leaves the old token usable and the successor gone', async () => {
    const { tokens, grantId } = await family();
    const rotated = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    const orm = await createOrm({
      url: stack.server.config.databaseUrl,
      migrations: AUTH_MIGRATIONS,
      poolMax: 1,
    });
    try {
      await undoRotation(orm, { oldId: tokens.refresh_token, newId: rotated.refresh_token });
    } finally {
      await orm.close();
    }
    expect(await usable(grantId)).to.equal(1);
    const gone = await refresh(stack.server, stack.client, rotated.refresh_token);
    expect(gone.status).to.equal(400);
    const again = await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
    expect(again.refresh_token).not.to.equal(rotated.refresh_token);
    await ok(await refresh(stack.server, stack.client, again.refresh_token));
  });

  it('a stall met outside the adapter (the account table locked) is a 503 too, and the token stays usable', async () => {
    const { tokens, grantId } = await family();
    const holder = await stack.db.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table account in access exclusive mode');
      // oidc-provider finds the account through our repository, not the adapter: its server_error
      // is recognised as Postgres being away (lock timeout) and answered as such.
      const stalled = await refresh(stack.server, stack.client, tokens.refresh_token);
      expect(stalled.status).to.equal(503);
      expect(stalled.headers.get('retry-after')).to.equal('1');
      expect(await stalled.json()).to.include({ error: 'temporarily_unavailable' });
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(await usable(grantId)).to.equal(1);
    await ok(await refresh(stack.server, stack.client, tokens.refresh_token));
  });
});
