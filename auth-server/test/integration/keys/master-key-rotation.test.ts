import { randomBytes, randomUUID } from 'node:crypto';
import { createMasterKeyring, createOrm, devSecret, type MikroORM, runRewrapSteps } from '@vectorauth/shared';
import { expect } from 'chai';
import { legacyWrap } from '../../../../shared/test/support/legacy-seal.ts';
import { SECRET_AAD } from '../../../src/clients/client-secret-seal.ts';
import { AUTH_MIGRATIONS, createRewrapAuthSecretsSteps } from '../../../src/index.ts';
import { aadFor } from '../../../src/keys/signing-key-store.ts';
import { createSecondFactors } from '../../../src/second-factor/second-factors.ts';
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

  /** A client-credentials client, created by a server running with MASTER_KEY=`masterKey`. */
  const createClientUnder = async (masterKey: string, clientName: string) => {
    const server = await startTestAuthServer({ MASTER_KEY: masterKey });
    try {
      return await server.createClient({
        client_name: clientName,
        grant_types: ['client_credentials'],
        scope: 'vectors:read',
      });
    } finally {
      await server.close();
    }
  };

  /** A new account with a (pending) authenticator secret wrapped by `masterKey`: its id and key. */
  const authenticatorUnder = async (masterKey: string) => {
    const id = randomUUID();
    await orm.em
      .fork()
      .execute('insert into account (id, email, password_hash) values (?, ?, ?)', [
        id,
        `rotation-${id}@example.com`,
        'x',
      ]);
    const account = { id, email: `rotation-${id}@example.com` };
    const enrolment = await secondFactorsUnder(masterKey).beginEnrolment(account);
    return { account, secret: enrolment!.secret };
  };
  const secondFactorsUnder = (...keys: string[]) =>
    createSecondFactors({ orm, keyring: createMasterKeyring(keys), audit: {} as never, issuer: 'test' });

  it('rewraps signing keys, client secrets and authenticator secrets so the old key can be dropped', async () => {
    const client = await createClientUnder(oldKey, 'rotating');
    const authenticator = await authenticatorUnder(oldKey);

    const counts = await remaining([newKey, oldKey]);
    expect(counts[0], 'signing keys wrapped by the old key').to.be.greaterThan(0);
    expect(counts[1], 'client secrets wrapped by the old key').to.be.greaterThan(0);
    expect(counts[2], 'authenticator secrets wrapped by the old key').to.be.greaterThan(0);

    // Resumable: one batch, then the rest.
    const steps = createRewrapAuthSecretsSteps({
      orm,
      keyring: createMasterKeyring([newKey, oldKey]),
      batchSize: 5,
    });
    await steps[1]!.rewrapBatch();
    await runRewrapSteps(steps);
    expect(await remaining([newKey, oldKey])).to.deep.equal([0, 0, 0]);
    const reopened = await secondFactorsUnder(newKey).pendingEnrolment(authenticator.account);
    expect(reopened?.secret, 'the same authenticator secret opens with only the new key').to.equal(
      authenticator.secret,
    );

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

  it('opens signing keys and client secrets sealed in AAD format 1, and rewraps them into format 2', async () => {
    // Whichever order the tests run in: the old key wraps, the new one (maybe still in use) opens.
    const listed = `${oldKey},${newKey}`;
    const client = await createClientUnder(listed, 'from before versioned AAD');

    // Lay them down as the code sealed them before AAD formats were versioned.
    const keyring = createMasterKeyring([oldKey, newKey]);
    const db = orm.em.fork().getConnection();
    const keys = await db.execute<{ kid: string; private_jwk: Buffer; master_key_id: string }[]>(
      'select kid, private_jwk, master_key_id from signing_key',
    );
    expect(keys.length).to.be.greaterThan(0);
    for (const key of keys) {
      const plain = keyring.unwrap(
        { keyId: key.master_key_id, ciphertext: key.private_jwk },
        aadFor(key.kid),
      );
      const legacy = legacyWrap(oldKey, plain, aadFor(key.kid));
      await db.execute('update signing_key set private_jwk = ?, master_key_id = ? where kid = ?', [
        legacy.ciphertext,
        legacy.keyId,
        key.kid,
      ]);
    }
    const sealedSecret = async () => {
      const [row] = await db.execute<{ sealed: { keyId: string; ciphertext: string } }[]>(
        "select payload->'sealed_client_secret' as sealed from oidc_model where model = 'Client' and id = ?",
        [client.client_id],
      );
      return row!.sealed;
    };
    const sealed = await sealedSecret();
    const secret = keyring.unwrap(
      { keyId: sealed.keyId, ciphertext: Buffer.from(sealed.ciphertext, 'base64') },
      SECRET_AAD(client.client_id),
    );
    expect(secret.toString()).to.equal(client.client_secret);
    const legacySecret = legacyWrap(oldKey, secret, SECRET_AAD(client.client_id));
    await db.execute(
      `update oidc_model set payload = jsonb_set(payload, '{sealed_client_secret}', ?::jsonb) where model = 'Client' and id = ?`,
      [
        JSON.stringify({ keyId: legacySecret.keyId, ciphertext: legacySecret.ciphertext.toString('base64') }),
        client.client_id,
      ],
    );

    const tokenWorks = async () => {
      const server = await startTestAuthServer({ MASTER_KEY: listed });
      try {
        const token = await server.clientCredentialsToken(client, { scope: 'vectors:read' });
        expect(token.status, 'the secret opens and a signing key signs').to.equal(200);
      } finally {
        await server.close();
      }
    };
    await tokenWorks();

    // Same master key, older format: rotation still has work to do, and does it.
    const counts = await remaining([oldKey, newKey]);
    expect(counts[0], 'signing keys in format 1').to.be.greaterThan(0);
    expect(counts[1], 'client secrets in format 1').to.be.greaterThan(0);
    await runRewrapSteps(createRewrapAuthSecretsSteps({ orm, keyring, batchSize: 5 }));
    expect(await remaining([oldKey, newKey])).to.deep.equal([0, 0, 0]);
    const formats = await db.execute<{ format: number }[]>(
      'select get_byte(private_jwk, 0) as format from signing_key',
    );
    expect(new Set(formats.map((f) => f.format))).to.deep.equal(new Set([2]));
    const rewrapped = await sealedSecret();
    expect(rewrapped.keyId).to.equal(keyring.primaryId);
    expect(Buffer.from(rewrapped.ciphertext, 'base64')[0]).to.equal(2);
    await tokenWorks();
  });
});
