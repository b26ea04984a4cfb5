import { defineEntity, p } from '@mikro-orm/core';

/**
 * One vector of a collection; `payload` is what the RecordCodec made of vector + metadata
 * (AES-256-GCM ciphertext), or null for a tombstone left by a delete at collection version `seq`.
 */
export const VectorRecordEntity = defineEntity({
  name: 'VectorRecord',
  tableName: 'vector_record',
  properties: {
    collectionId: p.uuid().primary(),
    id: p.text().primary(),
    seq: p.bigint('number'),
    codec: p.text(),
    payload: p.blob().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
