import { type AadContext, open, seal } from '@vectorauth/shared';
import type { DataKey, RecordAddress, RecordCodec, SnapshotAddress } from './record-codec.ts';
import { packRecord, unpackRecord } from './record-layout.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

/** AAD context of a record (shared `buildAad` keeps the fields apart whatever characters they hold). */
export const recordAad = (a: RecordAddress): AadContext => ({
  purpose: 'record',
  principal: a.principal,
  collectionId: a.collectionId,
  recordId: a.recordId,
  seq: a.seq,
});

export const snapshotAad = (a: SnapshotAddress): AadContext => ({
  purpose: 'snapshot',
  principal: a.principal,
  collectionId: a.collectionId,
  version: a.version,
  header: a.header,
});

function need(key: DataKey | null): Buffer {
  if (!key) throw new Error('the encrypting codec needs the principal data key');
  return key.key;
}

/**
 * AES-256-GCM (shared `seal`/`open`) under the principal's data key. A record's AAD binds it to
 * principal, collection, record id and the collection version that wrote it; a snapshot's AAD
 * binds principal, collection, version and its header. New seals use the current AAD format;
 * records and snapshots sealed in an older one still open (the blob's version byte names it) and
 * move to the current format when they are next written.
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
