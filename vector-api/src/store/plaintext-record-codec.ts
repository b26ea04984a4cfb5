import type { RecordCodec } from './record-codec.ts';
import { packRecord, unpackRecord } from './record-layout.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

/**
 * No encryption: payloads are the record layout as is, snapshots are stored unsealed. Never
 * wired by `main.ts`; it exists for the benchmark's "encryption off" comparison and for tests.
 */
export function createPlaintextRecordCodec(): RecordCodec {
  return {
    name: 'plain-v1',
    keyed: false,
    encode: (_key, record) => packRecord(record),
    decode(_key, payload, address) {
      try {
        return unpackRecord(payload);
      } catch {
        throw new StoredDataUnreadableError(`stored vector "${address.recordId}" is malformed`);
      }
    },
    sealSnapshot: (_key, plaintext) => plaintext,
    openSnapshot: (_key, sealed) => sealed,
  };
}
