import type { KeyStatus, SigningKeyRow } from './signing-key-row.ts';

export interface PublicKeyInfo {
  kid: string;
  alg: string;
  status: KeyStatus;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  revokedAt: Date | null;
  /** `next` only: from when it may be promoted (every resource server can know it by then). */
  promotableAt: Date | null;
  /** `retired` only: when it leaves the JWKS (every token it signed has expired by then). */
  removeAfter: Date | null;
  /** `revoked` only: until when resource servers are told to refuse its tokens. */
  denyUntil: Date | null;
}

export interface KeyTimings {
  /** Least time a `next` key is published before it may sign. */
  publishWaitSec: number;
  /** How long a retired key stays published: the longest token lifetime plus margins. */
  retentionSec: number;
  /** How long resource servers are told to refuse a revoked key's tokens. */
  denySec: number;
}

const after = (from: Date | null, sec: number) => (from ? new Date(from.getTime() + sec * 1000) : null);

/** What the admin API shows of a key: no key material, its lifecycle deadlines computed. */
export function publicKeyInfo(row: SigningKeyRow, timings: KeyTimings): PublicKeyInfo {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt,
    retiredAt: row.retiredAt,
    revokedAt: row.revokedAt,
    promotableAt: row.status === 'next' ? after(row.createdAt, timings.publishWaitSec) : null,
    removeAfter: row.status === 'retired' ? after(row.retiredAt, timings.retentionSec) : null,
    denyUntil: row.status === 'revoked' ? after(row.revokedAt, timings.denySec) : null,
  };
}
