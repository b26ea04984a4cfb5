import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const SIGNING_KEY_STATUSES = ['next', 'current', 'retired', 'revoked'] as const;

/**
 * A JWS signing key. The private JWK is stored sealed under the master key (AAD: kid).
 * Lifecycle: `next` (published, not signing) -> `current` (signing) -> `retired` (published until
 * its tokens expired) -> removed; any of them -> `revoked` (unpublished at once, tokens denied).
 */
export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_key',
  properties: {
    kid: p.string().primary(),
    alg: p.string(),
    status: p.enum(SIGNING_KEY_STATUSES),
    publicJwk: p.json<Record<string, unknown>>(),
    privateJwk: p.blob(),
    masterKeyId: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    activatedAt: p.datetime().nullable(),
    retiredAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});

export type SigningKeyRow = InferEntity<typeof SigningKey>;
