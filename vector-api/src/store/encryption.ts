import { createMasterKeyring } from '@vectorauth/shared';
import { createDataKeyStore, type DataKeyStore } from './data-key-store.ts';
import { createEncryptedRecordCodec } from './encrypted-record-codec.ts';
import { createPlaintextRecordCodec } from './plaintext-record-codec.ts';
import type { RecordCodec } from './record-codec.ts';

/** How records and snapshots are protected: the codec, and where principals' data keys come from. */
export interface Encryption {
  codec: RecordCodec;
  /** Null only with the plaintext codec. */
  keys: DataKeyStore | null;
}

/** Envelope encryption: AES-256-GCM under per-principal data keys wrapped by the master keyring. */
export function createEncryption(masterKeys: readonly string[], keyCacheSize?: number): Encryption {
  return {
    codec: createEncryptedRecordCodec(),
    keys: createDataKeyStore(createMasterKeyring(masterKeys), keyCacheSize),
  };
}

/** No encryption at rest: for the benchmark's "encryption off" rows only (not reachable by config). */
export function plaintextEncryption(): Encryption {
  return { codec: createPlaintextRecordCodec(), keys: null };
}
