/** The JSON object a caller may attach to a vector. */
export type Metadata = Record<string, unknown>;

/** What a record holds in the clear. */
export interface PlainRecord {
  vector: Float32Array;
  metadata: Metadata | null;
}

/**
 * Where a payload belongs. An encrypting codec binds its ciphertext to these through AAD, so a
 * payload copied to another principal, collection, record or version no longer opens.
 */
export interface RecordAddress {
  principal: string;
  collectionId: string;
  recordId: string;
  seq: number;
}

/** Encodes and decodes the records of one principal (an encrypting codec holds its data key). */
export interface PrincipalCodec {
  encode(record: PlainRecord, address: RecordAddress): Uint8Array;
  decode(payload: Uint8Array, address: RecordAddress): PlainRecord;
}

/**
 * Turns records into the bytes stored in `vector_record.payload` and back. `name` is stored
 * with each row so that rows written by an older codec can still be read during a migration.
 */
export interface RecordCodec {
  readonly name: string;
  forPrincipal(principal: string): Promise<PrincipalCodec>;
}
