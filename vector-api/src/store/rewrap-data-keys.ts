import type { MikroORM } from '@mikro-orm/postgresql';
import {
  DecryptionError,
  type MasterKeyring,
  type RewrapStep,
  UnknownMasterKeyError,
} from '@vectorauth/shared';
import { dataKeyAad, type PrincipalKeyRow } from './data-key-store.ts';

/**
 * The vector API's step of master-key rotation: every principal data key not wrapped by the
 * primary master key is unwrapped (by the older key, which must still be listed) and wrapped
 * again by the primary, in batches of `batchSize` rows per transaction (`for update skip locked`,
 * so two runs share the work). Records and snapshots are not touched: they are encrypted under the
 * data keys, which do not change.
 */
export function createRewrapDataKeysStep(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  batchSize?: number;
}): RewrapStep {
  const { orm, keyring } = deps;
  const batchSize = deps.batchSize ?? 200;
  return {
    name: 'vector-api data keys',
    async count() {
      const rows = await orm.em
        .fork()
        .execute<{ n: string }[]>('select count(*) as n from principal_key where master_key_id <> ?', [
          keyring.primaryId,
        ]);
      return Number(rows[0]?.n ?? 0);
    },
    rewrapBatch: () =>
      orm.em.fork().transactional(async (tem) => {
        const rows = await tem.execute<PrincipalKeyRow[]>(
          `select principal, data_key_id, master_key_id, wrapped from principal_key
           where master_key_id <> ? order by principal limit ? for update skip locked`,
          [keyring.primaryId, batchSize],
        );
        for (const row of rows) {
          const aad = dataKeyAad(row.principal, row.data_key_id);
          let key: Buffer;
          try {
            key = keyring.unwrap({ keyId: row.master_key_id, ciphertext: row.wrapped }, aad);
          } catch (err) {
            if (!(err instanceof DecryptionError)) throw err;
            throw new Error(
              `the data key of principal ${JSON.stringify(row.principal)} is wrapped by master key ${row.master_key_id}, which ${err instanceof UnknownMasterKeyError ? 'is not in MASTER_KEY: list it after the new key' : 'does not open it'}`,
            );
          }
          const wrapped = keyring.wrap(key, aad);
          key.fill(0);
          await tem.execute(
            `update principal_key set master_key_id = ?, wrapped = ?, rewrapped_at = now()
             where principal = ? and data_key_id = ?`,
            [wrapped.keyId, wrapped.ciphertext, row.principal, row.data_key_id],
            'run',
          );
        }
        return rows.length;
      }),
  };
}
