import type { JWK } from 'jose';

/** `next` (published, not signing) -> `current` (signing) -> `retired` (published until its tokens expired) -> removed; any -> `revoked`. */
export type KeyStatus = 'next' | 'current' | 'retired' | 'revoked';

/** A JWS signing key (table `signing_key`). The private JWK is sealed under the master key (AAD: `aadFor(kid)`). */
export interface SigningKeyRow {
  kid: string;
  alg: string;
  status: KeyStatus;
  publicJwk: JWK;
  privateJwk: Buffer;
  masterKeyId: string;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  revokedAt: Date | null;
}

/** The select list that maps the table's snake_case columns to the row's fields. */
export const SIGNING_KEY_COLUMNS = `kid, alg, status, public_jwk as "publicJwk", private_jwk as "privateJwk",
  master_key_id as "masterKeyId", created_at as "createdAt", activated_at as "activatedAt",
  retired_at as "retiredAt", revoked_at as "revokedAt"`;

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/** Raw query results carry timestamps as strings: dates here, once. */
export const toSigningKeyRow = (row: SigningKeyRow): SigningKeyRow => ({
  ...row,
  createdAt: new Date(row.createdAt),
  activatedAt: date(row.activatedAt),
  retiredAt: date(row.retiredAt),
  revokedAt: date(row.revokedAt),
});
