import { randomBytes } from 'node:crypto';
import { createMasterKeyring, createOrm, devSecret, type MikroORM, runRewrapSteps } from '@vectorauth/shared';
import { expect } from 'chai';
import { AUTH_MIGRATIONS, createRewrapAuthSecretsSteps } from '../../../src/index.ts';
import { startTestAuthServer } from '../../support/test-auth-server.ts';
import { testEnv } from '../../support/test-env.ts';

describe('master-key rotation of the auth server’s secrets', function () {
  this.timeout(60_000);
  const env = testEnv();
  const oldKey = devSecret(env.dataDir, 'master-key');
  const newKey = randomBytes(32).toString('base64');
  let orm: MikroORM;

  before(async () => {
    orm = await createOrm({
      url: env.databaseUrl,
      entities: [],
      migrations: AUTH_MIGRATIONS,
      poolMax: 2,
    });
  });
  after(async () => {
    // Leave the shared test database as the other tests expect it: wrapped by the old key.
    await runRewrapSteps(
      createRewrapAuthSecretsSteps({ orm, keyring: createMasterKeyring([oldKey, newKey]), batchSize: 50 }),
    );
    await orm.close(true);
  });

  const remaining = (keys: string[]) =>
    Promise.all(
      createRewrapAuthSecretsSteps({ orm, keyring: createMasterKeyring(keys), batchSize: 5 }).map((s) =>
        s.count(),
      ),
    );

  it('rewraps signing keys and client secrets so the old key can be dropped', async () => {
    const before = await startTestAuthServer({ MASTER_KEY: oldKey });
    const client = await before.createClient({
      client_name: 'rotating',
      grant_types: ['client_credentials'],
      scope: 'vectors:read',
    });
    await before.close();

    const counts = await remaining([newKey, oldKey]);
    expect(counts[0], 'signing keys wrapped by the old key').to.be.greaterThan(0);
    expect(counts[1], 'client secrets wrapped by the old key').to.be.greaterThan(0);

    // Resumable: one batch, then the rest.
    const steps = createRewrapAuthSecretsSteps({
      orm,
      keyring: createMasterKeyring([newKey, oldKey]),
      batchSize: 5,
    });
    await steps[1]!.rewrapBatch();
    await runRewrapSteps(steps);
    expect(await remaining([newKey, oldKey])).to.deep.equal([0, 0]);

    const after = await startTestAuthServer({ MASTER_KEY: newKey });
    try {
      const token = await after.clientCredentialsToken(client, { scope: 'vectors:read' });
      expect(token.status, 'the same secret works with only the new key configured').to.equal(200);
      const { keys } = (await (await fetch(`${after.issuer}/jwks`)).json()) as { keys: unknown[] };
      expect(keys.length).to.be.greaterThan(0);
    } finally {
      await after.close();
    }
  });
});
