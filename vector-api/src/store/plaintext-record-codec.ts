import type { Metadata, PlainRecord, RecordCodec } from './record-codec.ts';

const FORMAT = 1;
const HEADER = 5; // u8 format + u32 dimension
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Payload layout: [u8 format=1][u32 LE dimension][dimension x float32 LE][UTF-8 JSON metadata,
 * empty when none]. No encryption: the AES-256-GCM codec replaces this one behind the same interface.
 */
export function createPlaintextRecordCodec(): RecordCodec {
  const codec = {
    encode(record: PlainRecord): Uint8Array {
      const meta =
        record.metadata === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(record.metadata), 'utf8');
      const out = Buffer.allocUnsafe(HEADER + record.vector.length * 4 + meta.length);
      out.writeUInt8(FORMAT, 0);
      out.writeUInt32LE(record.vector.length, 1);
      for (let i = 0; i < record.vector.length; i++) out.writeFloatLE(record.vector[i] ?? 0, HEADER + i * 4);
      meta.copy(out, HEADER + record.vector.length * 4);
      return out;
    },
    decode(payload: Uint8Array): PlainRecord {
      const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      if (buf.length < HEADER || buf.readUInt8(0) !== FORMAT)
        throw new Error('unknown record payload format');
      const dimension = buf.readUInt32LE(1);
      const end = HEADER + dimension * 4;
      if (buf.length < end) throw new Error('truncated record payload');
      const vector = LITTLE_ENDIAN
        ? new Float32Array(buf.buffer.slice(buf.byteOffset + HEADER, buf.byteOffset + end))
        : Float32Array.from({ length: dimension }, (_, i) => buf.readFloatLE(HEADER + i * 4));
      const metadata = buf.length > end ? (JSON.parse(buf.toString('utf8', end)) as Metadata) : null;
      return { vector, metadata };
    },
  };
  return {
    name: 'plain-v1',
    forPrincipal: async () => codec,
  };
}
