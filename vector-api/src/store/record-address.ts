import type { Collection } from './collection.ts';
import type { RecordAddress } from './record-codec.ts';

/** Where the record `recordId` of `collection`, written at version `seq`, belongs (bound through AAD). */
export const recordAddress = (collection: Collection, recordId: string, seq: number): RecordAddress => ({
  principal: collection.principal,
  collectionId: collection.id,
  recordId,
  seq,
});
