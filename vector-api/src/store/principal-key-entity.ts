import { defineEntity, p } from '@mikro-orm/core';

/** A principal's data key, wrapped by the master key `masterKeyId` (see data-key-store.ts). */
export const PrincipalKeyEntity = defineEntity({
  name: 'PrincipalKey',
  tableName: 'principal_key',
  properties: {
    principal: p.text().primary(),
    dataKeyId: p.uuid().unique(),
    masterKeyId: p.text(),
    wrapped: p.blob(),
    createdAt: p.datetime().onCreate(() => new Date()),
    rewrappedAt: p.datetime().nullable(),
  },
});
