import { randomBytes, randomUUID } from 'node:crypto';
import { createMasterKeyring, createOrm, type MikroORM } from '@vectorauth/shared';
import { expect } from 'chai';
import { createAccountRepository } from '../../../src/accounts/account-repository.ts';
import { createFederatedIdentityRepository } from '../../../src/federation/federated-identity-repository.ts';
import { createSigningKeyStore } from '../../../src/keys/signing-key-store.ts';
import { AUTH_MIGRATIONS } from '../../../src/migrations/auth-migrations.ts';
import { testEnv } from '../../support/test-env.ts';

const email = () => `sql-${randomUUID()}@example.test`;

describe('SQL repositories (the migrations are the schema): columns, dates and duplicates', () => {
  let orm: MikroORM;

  before(async () => {
    orm = await createOrm({ url: testEnv().databaseUrl, migrations: AUTH_MIGRATIONS });
  });
  after(() => orm.close());

  it('maps an account row to camelCase fields with dates, and refuses a taken e-mail', async () => {
    const accounts = createAccountRepository(orm);
    const address = email();
    const created = await accounts.create(address, 'hash-1');
    expect(created).to.include({
      email: address,
      emailVerified: false,
      passwordHash: 'hash-1',
      disabled: false,
    });
    expect(created!.createdAt).to.be.instanceOf(Date);
    expect(created!.passwordChangedAt).to.be.instanceOf(Date);
    expect(created!.lastSignInAt).to.equal(null);
    expect(await accounts.create(address, 'hash-2'), 'duplicate e-mail').to.equal(undefined);

    await accounts.markEmailVerified(created!.id);
    await accounts.recordSignIn(created!.id);
    await accounts.setPasswordHash(created!.id, 'hash-3');
    const found = await accounts.findByEmail(address);
    expect(found).to.include({ id: created!.id, emailVerified: true, passwordHash: 'hash-3' });
    expect(found!.lastSignInAt).to.be.instanceOf(Date);
    expect(await accounts.findById(created!.id)).to.deep.equal(found);
    expect(await accounts.findById('not-a-uuid')).to.equal(undefined);

    expect(await accounts.setDisabled(created!.id, true)).to.equal(true);
    expect(await accounts.setDisabled(randomUUID(), true)).to.equal(false);
    const page = await accounts.list({ offset: 0, limit: 1000 });
    expect(page.total).to.be.a('number').at.least(1);
    expect(page.accounts.find((a) => a.id === created!.id)).to.include({ disabled: true });
    expect(await accounts.delete(created!.id)).to.equal(true);
    expect(await accounts.delete(created!.id)).to.equal(false);
  });

  it('links a federated identity once per subject and per account slot', async () => {
    const account = (await createAccountRepository(orm).create(email(), 'x'))!;
    const identities = createFederatedIdentityRepository(orm);
    const subject = randomUUID();
    const identity = { provider: 'google' as const, subject, email: 'a@example.test', emailVerified: true };
    const linked = await identities.link(account.id, identity);
    expect(linked).to.include({ provider: 'google', providerSubject: subject, accountId: account.id });
    expect(linked!.lastUsedAt).to.be.instanceOf(Date);
    expect(await identities.link(account.id, { ...identity, subject: randomUUID() }), 'slot taken').to.equal(
      undefined,
    );
    await identities.touch(linked!.id, { ...identity, email: 'b@example.test', emailVerified: false });
    expect(await identities.find('google', subject)).to.include({
      email: 'b@example.test',
      emailVerified: false,
    });
    expect(await identities.listForAccount(account.id)).to.have.length(1);
    expect(await identities.unlink(account.id, 'google')).to.equal(true);
    expect(await identities.find('google', subject)).to.equal(undefined);
  });

  it('reads signing keys with their lifecycle dates', async () => {
    const keys = createSigningKeyStore({
      orm,
      keyring: createMasterKeyring([randomBytes(32).toString('base64')]),
      alg: 'ES256',
      timings: { publishWaitSec: 300, retentionSec: 600, denySec: 86_400 },
    });
    const listed = await keys.list();
    for (const key of listed) {
      expect(key.createdAt).to.be.instanceOf(Date);
      if (key.status === 'current') expect(key.activatedAt).to.be.instanceOf(Date);
    }
    expect(await keys.version()).to.be.a('string');
  });
});
