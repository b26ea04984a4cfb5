import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CodecName, DataKey, Metadata, RecordCodec } from '../store/record-codec.ts';
import type { IndexMetric } from './faiss.ts';

/**
 * One collection's index as of one version, in `DATA_DIR/snapshots/<principal hash>/<collection id>.snap`:
 *
 *   "VASNAP01" | u32 LE header length | header (JSON, plaintext) | body sealed by the codec
 *
 * The header says which collection, version and data key; the body is
 * u32 LE length | JSON {ids, metadata} | FAISS's serialization of the index, and its AAD binds the
 * principal, collection, version and the header itself. Only ciphertext and ids-free facts
 * (counts, dimension) are in the clear.
 */
export interface SnapshotHeader {
  format: 1;
  collectionId: string;
  version: number;
  count: number;
  dimension: number;
  metric: IndexMetric;
  codec: CodecName;
  dataKeyId: string | null;
}

export interface SnapshotBody {
  ids: string[];
  metadata: (Metadata | null)[];
  index: Buffer;
}

const MAGIC = Buffer.from('VASNAP01', 'latin1');
const PREFIX = MAGIC.length + 4;
const MAX_HEADER = 64 * 1024;

/** Where a principal's snapshots live: a hash, so any `sub` makes a safe directory name. */
export function principalSnapshotDir(dataDir: string, principal: string): string {
  const hash = createHash('sha256').update(principal, 'utf8').digest('hex').slice(0, 32);
  return join(dataDir, 'snapshots', hash);
}

export function snapshotPath(dataDir: string, principal: string, collectionId: string): string {
  return join(principalSnapshotDir(dataDir, principal), `${collectionId}.snap`);
}

export const SNAPSHOT_SUFFIX = '.snap';
export const TEMP_SUFFIX = '.tmp';

/** The whole file for `body`, sealed under `key`. */
export function encodeSnapshot(
  codec: RecordCodec,
  key: DataKey | null,
  principal: string,
  header: SnapshotHeader,
  body: SnapshotBody,
): Buffer[] {
  const headerJson = JSON.stringify(header);
  const meta = Buffer.from(JSON.stringify({ ids: body.ids, metadata: body.metadata }), 'utf8');
  const metaLength = Buffer.alloc(4);
  metaLength.writeUInt32LE(meta.length);
  const plaintext = Buffer.concat([metaLength, meta, body.index]);
  const sealed = codec.sealSnapshot(key, plaintext, {
    principal,
    collectionId: header.collectionId,
    version: header.version,
    header: headerJson,
  });
  const headerBytes = Buffer.from(headerJson, 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length);
  return [prefix, headerBytes, sealed];
}

/** The header of a snapshot file from its first bytes; null when they are not one. */
export function decodeSnapshotHeader(
  bytes: Buffer,
): { header: SnapshotHeader; json: string; end: number } | null {
  if (bytes.length < PREFIX || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const length = bytes.readUInt32LE(MAGIC.length);
  if (length > MAX_HEADER || bytes.length < PREFIX + length) return null;
  const json = bytes.toString('utf8', PREFIX, PREFIX + length);
  try {
    const header = JSON.parse(json) as SnapshotHeader;
    if (header.format !== 1 || typeof header.version !== 'number') return null;
    return { header, json, end: PREFIX + length };
  } catch {
    return null;
  }
}

/** How many leading bytes to read to be sure of having the header. */
export const HEADER_READ_BYTES = PREFIX + MAX_HEADER;

/** Opens a whole snapshot file; throws on anything that does not authenticate or parse. */
export function decodeSnapshot(
  codec: RecordCodec,
  key: DataKey | null,
  principal: string,
  file: Buffer,
): { header: SnapshotHeader; body: SnapshotBody } {
  const head = decodeSnapshotHeader(file);
  if (!head) throw new Error('not a snapshot file');
  const plaintext = codec.openSnapshot(key, file.subarray(head.end), {
    principal,
    collectionId: head.header.collectionId,
    version: head.header.version,
    header: head.json,
  });
  const metaLength = plaintext.readUInt32LE(0);
  const meta = JSON.parse(plaintext.toString('utf8', 4, 4 + metaLength)) as {
    ids: string[];
    metadata: (Metadata | null)[];
  };
  if (meta.ids.length !== head.header.count || meta.metadata.length !== head.header.count) {
    throw new Error('snapshot counts do not match');
  }
  return { header: head.header, body: { ...meta, index: plaintext.subarray(4 + metaLength) } };
}
