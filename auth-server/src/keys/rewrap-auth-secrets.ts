import type { MikroORM } from '@mikro-orm/postgresql';
import { createSqlRewrapStep, type MasterKeyring, type RewrapStep } from '@vectorauth/shared';
import { SECRET_AAD, type SealedClientSecret } from '../clients/client-secret-seal.ts';
import { TOTP_SECRET_AAD } from '../second-factor/totp-secret-seal.ts';
import { aadFor } from './signing-key-store.ts';

interface SigningKeyRow {
  kid: string;
  private_jwk: Buffer;
  master_key_id: string;
}

interface TotpSecretRow {
  account_id: string;
  sealed_secret: Buffer;
  master_key_id: string;
}

interface ClientSecretRow {
  id: string;
  sealed: SealedClientSecret;
}

/**
 * Master-key rotation steps of the auth server (`npm run rotate-master-key`): signing keys, client
 * secrets and authenticator (TOTP) secrets wrapped by another master key, or in an older AAD format, are rewrapped under the
 * primary one in the current format, in committed batches (safe to stop and run again). Nothing
 * else changes: same kid, same secret.
 */
export function createRewrapAuthSecretsSteps(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  batchSize: number;
}): RewrapStep[] {
  const signingKeys = createSqlRewrapStep<SigningKeyRow>({
    ...deps,
    target: {
      name: 'auth signing keys',
      table: 'signing_key',
      columns: 'kid, private_jwk, master_key_id',
      keyIdSql: 'master_key_id',
      sealedSql: 'private_jwk',
      orderBy: 'kid',
      read: (row) => ({
        wrapped: { keyId: row.master_key_id, ciphertext: Buffer.from(row.private_jwk) },
        context: aadFor(row.kid),
      }),
      describe: (row) => `signing key ${row.kid}`,
      write: (em, row, wrapped) =>
        em.execute('update signing_key set private_jwk = ?, master_key_id = ? where kid = ?', [
          wrapped.ciphertext,
          wrapped.keyId,
          row.kid,
        ]),
    },
  });

  const clientSecrets = createSqlRewrapStep<ClientSecretRow>({
    ...deps,
    target: {
      name: 'auth client secrets',
      table: 'oidc_model',
      where: "model = 'Client' and payload->'sealed_client_secret' is not null",
      columns: "id, payload->'sealed_client_secret' as sealed",
      keyIdSql: "payload->'sealed_client_secret'->>'keyId'",
      sealedSql: "decode(payload->'sealed_client_secret'->>'ciphertext', 'base64')",
      orderBy: 'id',
      read: (row) => ({
        wrapped: { keyId: row.sealed.keyId, ciphertext: Buffer.from(row.sealed.ciphertext, 'base64') },
        context: SECRET_AAD(row.id),
      }),
      describe: (row) => `the secret of client ${JSON.stringify(row.id)}`,
      write: (em, row, wrapped) =>
        em.execute(
          `update oidc_model set payload = jsonb_set(payload, '{sealed_client_secret}', ?::jsonb) where model = 'Client' and id = ?`,
          [
            JSON.stringify({ keyId: wrapped.keyId, ciphertext: wrapped.ciphertext.toString('base64') }),
            row.id,
          ],
        ),
    },
  });

  const totpSecrets = createSqlRewrapStep<TotpSecretRow>({
    ...deps,
    target: {
      name: 'auth authenticator secrets',
      table: 'totp_credential',
      columns: 'account_id::text as account_id, sealed_secret, master_key_id',
      keyIdSql: 'master_key_id',
      sealedSql: 'sealed_secret',
      orderBy: 'account_id',
      read: (row) => ({
        wrapped: { keyId: row.master_key_id, ciphertext: Buffer.from(row.sealed_secret) },
        context: TOTP_SECRET_AAD(row.account_id),
      }),
      describe: (row) => `the authenticator secret of account ${row.account_id}`,
      write: (em, row, wrapped) =>
        em.execute('update totp_credential set sealed_secret = ?, master_key_id = ? where account_id = ?', [
          wrapped.ciphertext,
          wrapped.keyId,
          row.account_id,
        ]),
    },
  });

  return [signingKeys, clientSecrets, totpSecrets];
}
