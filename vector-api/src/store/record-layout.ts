import type { Metadata, PlainRecord } from './record-codec.ts';

const FORMAT = 1;
const HEADER = 5; // u8 format + u32 dimension
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The bytes of a record before any encryption: [u8 format=1][u32 LE dimension]
 * [dimension x float32 LE][UTF-8 JSON metadata, empty when none].
 */
export function packRecord(record: PlainRecord): Buffer {
  const meta = record.metadata === null ? null : Buffer.from(JSON.stringify(record.metadata), 'utf8');
  const d = record.vector.length;
  const out = Buffer.allocUnsafe(HEADER + d * 4 + (meta?.length ?? 0));
  out.writeUInt8(FORMAT, 0);
  out.writeUInt32LE(d, 1);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(record.vector.buffer, record.vector.byteOffset, d * 4), HEADER);
  } else {
    for (let i = 0; i < d; i++) out.writeFloatLE(record.vector[i] ?? 0, HEADER + i * 4);
  }
  meta?.copy(out, HEADER + d * 4);
  return out;
}

/** The inverse of packRecord; throws a plain Error on bytes it does not recognise. */
export function unpackRecord(payload: Uint8Array): PlainRecord {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.length < HEADER || buf.readUInt8(0) !== FORMAT) throw new Error('unknown record payload format');
  const dimension = buf.readUInt32LE(1);
  const end = HEADER + dimension * 4;
  if (buf.length < end) throw new Error('truncated record payload');
  const vector = LITTLE_ENDIAN
    ? new Float32Array(buf.buffer.slice(buf.byteOffset + HEADER, buf.byteOffset + end))
    : Float32Array.from({ length: dimension }, (_, i) => buf.readFloatLE(HEADER + i * 4));
  const metadata = buf.length > end ? (JSON.parse(buf.toString('utf8', end)) as Metadata) : null;
  return { vector, metadata };
}
