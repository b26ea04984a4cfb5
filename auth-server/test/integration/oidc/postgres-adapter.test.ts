import { randomBytes, randomUUID } from 'node:crypto';
import { createMasterKeyring, createOrm, type MikroORM } from '@vectorauth/shared';
import { expect } from 'chai';
import { AUTH_MIGRATIONS } from '../../../src/migrations/auth-migrations.ts';
import { createPostgresAdapter } from '../../../src/oidc/postgres-adapter.ts';
import { testEnv } from '../../support/test-env.ts';

describe('postgres adapter (oidc-provider storage)', () => {
  let orm: MikroORM;
  let Adapter: ReturnType<typeof createPostgresAdapter>;

  before(async () => {
    orm = await createOrm({
      url: testEnv().databaseUrl,
      migrations: AUTH_MIGRATIONS,
      poolMax: 20,
    });
    Adapter = createPostgresAdapter({
      orm,
      keyring: createMasterKeyring([randomBytes(32).toString('base64')]),
    });
  });
  after(() => orm.close());

  it('stores, finds and destroys a model, and hides expired ones', async () => {
    const codes = new Adapter('AuthorizationCode');
    const id = randomUUID();
    await codes.upsert(id, { accountId: 'user-1', grantId: 'g1', kind: 'AuthorizationCode' }, 60);
    expect(await codes.find(id)).to.include({ accountId: 'user-1', grantId: 'g1' });
    expect(await new Adapter('RefreshToken').find(id), 'models are separate').to.equal(undefined);
    await codes.destroy(id);
    expect(await codes.find(id)).to.equal(undefined);

    const expiring = randomUUID();
    await codes.upsert(expiring, { kind: 'AuthorizationCode' }, 1);
    await orm.em
      .getConnection()
      .execute("update oidc_model set expires_at = now() - interval '1 second' where id = ?", [expiring]);
    expect(await codes.find(expiring)).to.equal(undefined);
  });

  it('finds interactions by uid and revokes every model of a grant', async () => {
    const grantId = randomUUID();
    const sessions = new Adapter('Session');
    const refresh = new Adapter('RefreshToken');
    const uid = randomUUID();
    await sessions.upsert(`s1-${uid}`, { uid, kind: 'Session' }, 60);
    expect(await sessions.findByUid(uid)).to.include({ uid });
    const tokens = [randomUUID(), randomUUID()];
    for (const t of tokens) await refresh.upsert(t, { grantId, kind: 'RefreshToken' }, 60);
    await refresh.revokeByGrantId(grantId);
    for (const t of tokens) expect(await refresh.find(t)).to.equal(undefined);
  });

  it('marks a consumed token so oidc-provider sees it', async () => {
    const refresh = new Adapter('RefreshToken');
    const id = randomUUID();
    await refresh.upsert(id, { grantId: 'g', kind: 'RefreshToken' }, 60);
    await refresh.consume(id);
    const found = await refresh.find(id);
    expect(found?.consumed).to.be.a('number');
  });

  for (const model of ['AuthorizationCode', 'RefreshToken']) {
    it(`lets exactly one of 50 parallel redemptions of one ${model} succeed`, async () => {
      const adapter = new Adapter(model);
      const id = randomUUID();
      await adapter.upsert(id, { grantId: randomUUID(), kind: model }, 60);
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => adapter.consume(id)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).to.have.length(1);
      expect(lost).to.have.length(49);
      for (const l of lost) expect((l.reason as { error?: string }).error).to.equal('invalid_grant');
    });
  }

  it('revokes every model of the grant when a spent code or refresh token is consumed again', async () => {
    const grantId = randomUUID();
    const grants = new Adapter('Grant');
    const refresh = new Adapter('RefreshToken');
    const access = new Adapter('AccessToken');
    const [spent, rotated, accessToken] = [randomUUID(), randomUUID(), randomUUID()];
    await grants.upsert(grantId, { accountId: 'user-1', clientId: 'c', kind: 'Grant' }, 60);
    await refresh.upsert(spent, { grantId, kind: 'RefreshToken' }, 60);
    await refresh.upsert(rotated, { grantId, kind: 'RefreshToken' }, 60);
    await access.upsert(accessToken, { grantId, kind: 'AccessToken' }, 60);
    const otherGrant = randomUUID();
    const bystander = randomUUID();
    await refresh.upsert(bystander, { grantId: otherGrant, kind: 'RefreshToken' }, 60);

    await refresh.consume(spent);
    expect(await grants.find(grantId), 'a first consume keeps the grant').to.include({ accountId: 'user-1' });
    let error: unknown;
    await refresh.consume(spent).catch((err: unknown) => {
      error = err;
    });
    expect((error as { error?: string }).error).to.equal('invalid_grant');
    expect(await grants.find(grantId)).to.equal(undefined);
    expect(await refresh.find(rotated)).to.equal(undefined);
    expect(await access.find(accessToken)).to.equal(undefined);
    expect(await refresh.find(bystander), 'other grants are untouched').to.include({ grantId: otherGrant });
  });

  it('tells onGrantRevoked which grant a lost race revoked, and why (for the access-token revocation list)', async () => {
    const heard: string[] = [];
    const Notifying = createPostgresAdapter({
      orm,
      keyring: createMasterKeyring([randomBytes(32).toString('base64')]),
      onGrantRevoked: async (grantId, source) => {
        heard.push(`${grantId} ${source}`);
        throw new Error('the revocation list is away');
      },
    });
    const codes = new Notifying('AuthorizationCode');
    const grantId = randomUUID();
    const id = randomUUID();
    await codes.upsert(id, { grantId, kind: 'AuthorizationCode' }, 60);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => codes.consume(id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect((o.reason as { error?: string }).error, 'still invalid_grant').to.equal('invalid_grant');
    }
    expect(heard.length).to.be.at.least(1);
    expect(new Set(heard)).to.deep.equal(new Set([`${grantId} code_reuse`]));
  });

  it('keeps client secrets sealed at rest and opens them on read', async () => {
    const clients = new Adapter('Client');
    const id = `c-${randomUUID()}`;
    await clients.upsert(id, { client_id: id, client_secret: 'super-secret-value' }, 0);
    const [raw] = await orm.em
      .getConnection()
      .execute<{ payload: unknown }[]>("select payload from oidc_model where model = 'Client' and id = ?", [
        id,
      ]);
    expect(JSON.stringify(raw?.payload)).not.to.contain('super-secret-value');
    expect(await clients.find(id)).to.include({ client_secret: 'super-secret-value' });
    await clients.destroy(id);
  });
});
