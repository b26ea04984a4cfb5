import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** An account's link to an upstream identity provider's subject (see migration 0007). */
export const FederatedIdentity = defineEntity({
  name: 'FederatedIdentity',
  tableName: 'federated_identity',
  properties: {
    id: p.uuid().primary(),
    provider: p.string(),
    providerSubject: p.string(),
    accountId: p.uuid(),
    email: p.string().nullable(),
    emailVerified: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
  },
});

export type FederatedIdentityRow = InferEntity<typeof FederatedIdentity>;
