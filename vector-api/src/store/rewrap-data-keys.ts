import type { MikroORM } from '@mikro-orm/postgresql';
import { createSqlRewrapStep, type MasterKeyring, type RewrapStep } from '@vectorauth/shared';
import { dataKeyAad, type PrincipalKeyRow } from './data-key-store.ts';

/**
 * The vector API's step of master-key rotation: every principal data key not wrapped by the
 * primary master key in the current AAD format is unwrapped (by the older key, which must still
 * be listed) and wrapped again by the primary, in batches of `batchSize` rows per transaction
 * (`for update skip locked`, so two runs share the work). Records and snapshots are not touched:
 * they are encrypted under the data keys, which do not change.
 */
export function createRewrapDataKeysStep(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  batchSize?: number;
}): RewrapStep {
  return createSqlRewrapStep<PrincipalKeyRow>({
    orm: deps.orm,
    keyring: deps.keyring,
    batchSize: deps.batchSize ?? 200,
    target: {
      name: 'vector-api data keys',
      table: 'principal_key',
      columns: 'principal, data_key_id, master_key_id, wrapped',
      keyIdSql: 'master_key_id',
      sealedSql: 'wrapped',
      orderBy: 'principal',
      read: (row) => ({
        wrapped: { keyId: row.master_key_id, ciphertext: row.wrapped },
        context: dataKeyAad(row.principal, row.data_key_id),
      }),
      describe: (row) => `the data key of principal ${JSON.stringify(row.principal)}`,
      write: (em, row, wrapped) =>
        em.execute(
          `update principal_key set master_key_id = ?, wrapped = ?, rewrapped_at = now()
           where principal = ? and data_key_id = ?`,
          [wrapped.keyId, wrapped.ciphertext, row.principal, row.data_key_id],
          'run',
        ),
    },
  });
}
