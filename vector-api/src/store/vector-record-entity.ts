import { defineEntity, p } from '@mikro-orm/core';

/** One vector of a collection; `payload` is whatever the RecordCodec made of vector + metadata. */
export const VectorRecordEntity = defineEntity({
  name: 'VectorRecord',
  tableName: 'vector_record',
  properties: {
    collectionId: p.uuid().primary(),
    id: p.text().primary(),
    seq: p.bigint('number'),
    codec: p.text(),
    payload: p.blob(),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
