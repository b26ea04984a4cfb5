import type { RecordCodec } from './record-codec.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

/** Refuses a stored row written with another codec than the one this server reads. */
export function checkRowCodec(codec: RecordCodec, id: string, rowCodec: string): void {
  if (rowCodec !== codec.name) {
    throw new StoredDataUnreadableError(
      `stored vector "${id}" was written with codec ${rowCodec}; this server reads ${codec.name}`,
    );
  }
}
