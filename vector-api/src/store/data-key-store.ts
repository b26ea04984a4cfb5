import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type AadContext,
  DecryptionError,
  type MasterKeyring,
  UnknownMasterKeyError,
} from '@vectorauth/shared';
import { LruMap } from './lru-map.ts';
import type { DataKey } from './record-codec.ts';
import { DataKeyUnavailableError } from './stored-data-errors.ts';

/** AAD of a wrapped data key: bound to its principal and its own id, so rows cannot be swapped. */
export const dataKeyAad = (principal: string, dataKeyId: string): AadContext => ({
  purpose: 'data-key',
  principal,
  dataKeyId,
});

export interface PrincipalKeyRow {
  principal: string;
  data_key_id: string;
  master_key_id: string;
  wrapped: Buffer;
}

export interface DataKeyStore {
  /**
   * The principal's current data key, read through `em` (one primary-key lookup; the unwrapped
   * key comes from the cache when its id matches). Null when the principal has none: nothing
   * was written yet, or its key was destroyed. With `create`, a missing key is made first.
   */
  current(em: EntityManager, principal: string, options?: { create?: boolean }): Promise<DataKey | null>;
  /** Deletes the principal's data key row (crypto-shredding); true when there was one. */
  destroy(em: EntityManager, principal: string): Promise<boolean>;
  /** Drops the principal's key from this process's memory. */
  forget(principal: string): void;
}

/**
 * Per-principal random 256-bit data keys in `principal_key`, wrapped by the master keyring (the
 * first master key wraps, every listed one unwraps). Unwrapped keys live in a bounded LRU cache
 * keyed by principal and checked against the row's `data_key_id` on every use, so a key destroyed
 * and re-created by another instance is never used stale.
 */
export function createDataKeyStore(keyring: MasterKeyring, cacheSize = 10_000): DataKeyStore {
  const cache = new LruMap<string, DataKey>(cacheSize);

  function unwrap(row: PrincipalKeyRow): DataKey {
    const cached = cache.get(row.principal);
    if (cached?.id === row.data_key_id) return cached;
    let key: Buffer;
    try {
      key = keyring.unwrap(
        { keyId: row.master_key_id, ciphertext: row.wrapped },
        dataKeyAad(row.principal, row.data_key_id),
      );
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      throw new DataKeyUnavailableError(
        err instanceof UnknownMasterKeyError
          ? `this principal's data key is wrapped by master key ${row.master_key_id}, which is not in MASTER_KEY`
          : "this principal's data key does not authenticate under the master key",
      );
    }
    const dataKey = { id: row.data_key_id, key };
    cache.set(row.principal, dataKey);
    return dataKey;
  }

  async function read(em: EntityManager, principal: string): Promise<PrincipalKeyRow | undefined> {
    const rows = await em.execute<PrincipalKeyRow[]>(
      'select principal, data_key_id, master_key_id, wrapped from principal_key where principal = ?',
      [principal],
    );
    return rows[0];
  }

  return {
    async current(em, principal, options = {}) {
      let row = await read(em, principal);
      if (!row && options.create) {
        const id = randomUUID();
        const key = randomBytes(32);
        const wrapped = keyring.wrap(key, dataKeyAad(principal, id));
        const inserted = await em.execute<PrincipalKeyRow[]>(
          `insert into principal_key (principal, data_key_id, master_key_id, wrapped) values (?, ?, ?, ?)
           on conflict (principal) do nothing
           returning principal, data_key_id, master_key_id, wrapped`,
          [principal, id, wrapped.keyId, wrapped.ciphertext],
        );
        if (inserted[0]) cache.set(principal, { id, key });
        row = inserted[0] ?? (await read(em, principal)); // another writer made it first
      }
      if (!row) {
        cache.delete(principal);
        return null;
      }
      return unwrap(row);
    },
    async destroy(em, principal) {
      cache.delete(principal);
      const rows = await em.execute<{ principal: string }[]>(
        'delete from principal_key where principal = ? returning principal',
        [principal],
      );
      return rows.length > 0;
    },
    forget(principal) {
      cache.delete(principal);
    },
  };
}
