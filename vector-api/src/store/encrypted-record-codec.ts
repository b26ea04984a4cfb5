import { open, seal } from '@vectorauth/shared';
import type { DataKey, RecordAddress, RecordCodec, SnapshotAddress } from './record-codec.ts';
import { packRecord, unpackRecord } from './record-layout.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

/** AAD of a record: JSON keeps the fields unambiguous whatever characters a principal holds. */
export const recordAad = (a: RecordAddress): string =>
  JSON.stringify(['vectorauth/record/v1', a.principal, a.collectionId, a.recordId, a.seq]);

export const snapshotAad = (a: SnapshotAddress): string =>
  JSON.stringify(['vectorauth/snapshot/v1', a.principal, a.collectionId, a.version, a.header]);

function need(key: DataKey | null): Buffer {
  if (!key) throw new Error('the encrypting codec needs the principal data key');
  return key.key;
}

/**
 * AES-256-GCM (shared `seal`/`open`) under the principal's data key. A record's AAD binds it to
 * principal, collection, record id and the collection version that wrote it; a snapshot's AAD
 * binds principal, collection, version and its header.
 */
export function createEncryptedRecordCodec(): RecordCodec {
  return {
    name: 'aes-256-gcm-v1',
    keyed: true,
    encode: (key, record, address) => seal(need(key), packRecord(record), recordAad(address)),
    decode(key, payload, address) {
      const dataKey = need(key);
      const sealed = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      try {
        return unpackRecord(open(dataKey, sealed, recordAad(address)));
      } catch {
        // DecryptionError (wrong key or address, tampered), or authenticated bytes of an unknown layout
        throw new StoredDataUnreadableError(
          `stored vector "${address.recordId}" does not authenticate under its owner's key and address (tampered with or copied from elsewhere); overwrite or delete it`,
        );
      }
    },
    sealSnapshot: (key, plaintext, address) => seal(need(key), plaintext, snapshotAad(address)),
    openSnapshot: (key, sealed, address) => open(need(key), sealed, snapshotAad(address)),
  };
}
