import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** An end user. `email` is normalised (see email-address.ts) and unique. */
export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p.uuid().primary(),
    email: p.string(),
    emailVerified: p.boolean().default(false),
    passwordHash: p.string().hidden(),
    disabled: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    passwordChangedAt: p.datetime().onCreate(() => new Date()),
    lastSignInAt: p.datetime().nullable(),
  },
});

export type AccountRow = InferEntity<typeof Account>;
