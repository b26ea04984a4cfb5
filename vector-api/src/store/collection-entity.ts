import { defineEntity, p } from '@mikro-orm/core';

export const METRICS = ['l2', 'ip', 'cosine'] as const;
export type Metric = (typeof METRICS)[number];

/** A principal's named collection; `version` goes up by one with every committed write. */
export const CollectionEntity = defineEntity({
  name: 'Collection',
  tableName: 'collection',
  properties: {
    id: p.uuid().primary(),
    principal: p.text(),
    name: p.text(),
    dimension: p.integer(),
    metric: p.text(),
    version: p.bigint('number').default(0),
    /** Tombstones with seq <= purgedSeq may be gone: older snapshots cannot be replayed forward. */
    purgedSeq: p.bigint('number').default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
