import type { MikroORM } from '@mikro-orm/postgresql';
import type { MasterKeyring, RewrapStep } from '@vectorauth/shared';
import { SECRET_AAD } from '../oidc/postgres-adapter.ts';
import { aadFor } from './signing-key-store.ts';

/**
 * Master-key rotation steps of the auth server (`npm run rotate-master-key`): signing keys and
 * client secrets still wrapped by another master key are rewrapped under the primary one, in
 * committed batches (safe to stop and run again). Nothing else changes: same kid, same secret.
 */
export function createRewrapAuthSecretsSteps(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  batchSize: number;
}): RewrapStep[] {
  const { orm, keyring, batchSize } = deps;
  const db = () => orm.em.getConnection();
  const primary = keyring.primaryId;

  const signingKeys: RewrapStep = {
    name: 'auth signing keys',
    async count() {
      const [row] = await db().execute<{ n: number }[]>(
        'select count(*)::int as n from signing_key where master_key_id <> ?',
        [primary],
      );
      return row?.n ?? 0;
    },
    async rewrapBatch() {
      return orm.em.transactional(async (em) => {
        const rows = await em
          .getConnection()
          .execute<{ kid: string; private_jwk: Buffer; master_key_id: string }[]>(
            'select kid, private_jwk, master_key_id from signing_key where master_key_id <> ? limit ? for update skip locked',
            [primary, batchSize],
          );
        for (const row of rows) {
          const plain = keyring.unwrap(
            { keyId: row.master_key_id, ciphertext: Buffer.from(row.private_jwk) },
            aadFor(row.kid),
          );
          const wrapped = keyring.wrap(plain, aadFor(row.kid));
          await em
            .getConnection()
            .execute('update signing_key set private_jwk = ?, master_key_id = ? where kid = ?', [
              wrapped.ciphertext,
              wrapped.keyId,
              row.kid,
            ]);
        }
        return rows.length;
      });
    },
  };

  const clientSecrets: RewrapStep = {
    name: 'auth client secrets',
    async count() {
      const [row] = await db().execute<{ n: number }[]>(
        "select count(*)::int as n from oidc_model where model = 'Client' and payload->'sealed_client_secret'->>'keyId' <> ?",
        [primary],
      );
      return row?.n ?? 0;
    },
    async rewrapBatch() {
      return orm.em.transactional(async (em) => {
        const rows = await em
          .getConnection()
          .execute<{ id: string; sealed: { keyId: string; ciphertext: string } }[]>(
            `select id, payload->'sealed_client_secret' as sealed from oidc_model
           where model = 'Client' and payload->'sealed_client_secret'->>'keyId' <> ? limit ? for update skip locked`,
            [primary, batchSize],
          );
        for (const row of rows) {
          const plain = keyring.unwrap(
            { keyId: row.sealed.keyId, ciphertext: Buffer.from(row.sealed.ciphertext, 'base64') },
            SECRET_AAD(row.id),
          );
          const wrapped = keyring.wrap(plain, SECRET_AAD(row.id));
          await em
            .getConnection()
            .execute(
              `update oidc_model set payload = jsonb_set(payload, '{sealed_client_secret}', ?::jsonb) where model = 'Client' and id = ?`,
              [
                JSON.stringify({ keyId: wrapped.keyId, ciphertext: wrapped.ciphertext.toString('base64') }),
                row.id,
              ],
            );
        }
        return rows.length;
      });
    },
  };

  return [signingKeys, clientSecrets];
}
