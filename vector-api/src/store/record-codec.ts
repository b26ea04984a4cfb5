/** The JSON object a caller may attach to a vector. */
export type Metadata = Record<string, unknown>;

/** What a record holds in the clear. */
export interface PlainRecord {
  vector: Float32Array;
  metadata: Metadata | null;
}

/**
 * Where a payload belongs. The encrypting codec binds its ciphertext to these through AAD, so a
 * payload copied to another principal, collection, record or version no longer opens.
 */
export interface RecordAddress {
  principal: string;
  collectionId: string;
  recordId: string;
  seq: number;
}

/** Where a snapshot belongs: its owner, collection and the collection version it holds. */
export interface SnapshotAddress {
  principal: string;
  collectionId: string;
  version: number;
  /** The snapshot file's plaintext header, bound too so it cannot be edited. */
  header: string;
}

/** A principal's data key in the clear, with the id that names it (unchanged by rewrapping). */
export interface DataKey {
  id: string;
  key: Buffer;
}

export type CodecName = 'aes-256-gcm-v1' | 'plain-v1';

/**
 * Turns records into the bytes stored in `vector_record.payload` and back, and seals index
 * snapshots. Pure functions of (data key, bytes, address), so the request thread and the index
 * worker run the same code. `name` is stored with each row. Failures throw
 * StoredDataUnreadableError (never another record's data).
 */
export interface RecordCodec {
  readonly name: CodecName;
  /** Whether the codec needs the principal's data key (false only for the plaintext codec). */
  readonly keyed: boolean;
  encode(key: DataKey | null, record: PlainRecord, address: RecordAddress): Buffer;
  decode(key: DataKey | null, payload: Uint8Array, address: RecordAddress): PlainRecord;
  sealSnapshot(key: DataKey | null, plaintext: Buffer, address: SnapshotAddress): Buffer;
  openSnapshot(key: DataKey | null, sealed: Buffer, address: SnapshotAddress): Buffer;
}
