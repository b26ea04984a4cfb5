import { createEncryptedRecordCodec } from './encrypted-record-codec.ts';
import { createPlaintextRecordCodec } from './plaintext-record-codec.ts';
import type { CodecName, RecordCodec } from './record-codec.ts';

/** The codec a name stands for (the index worker receives names, not functions). */
export function codecByName(name: CodecName): RecordCodec {
  return name === 'aes-256-gcm-v1' ? createEncryptedRecordCodec() : createPlaintextRecordCodec();
}
