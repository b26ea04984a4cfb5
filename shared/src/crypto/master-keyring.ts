import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import type { AadContext } from './aad.ts';
import { CURRENT_AAD_FORMAT } from './aad.ts';
import { open, seal, sealedFormat } from './aead.ts';
import { UnknownMasterKeyError } from './decryption-error.ts';

export interface Wrapped {
  keyId: string;
  ciphertext: Buffer;
}

export interface MasterKeyring {
  /** Id of the key that wraps new secrets (the first of the list). */
  readonly primaryId: string;
  wrap(secret: Buffer, context: AadContext): Wrapped;
  unwrap(wrapped: Wrapped, context: AadContext): Buffer;
  /** Whether a wrapped secret is as `wrap` makes it today: by the primary key, in the current AAD format. */
  isCurrent(wrapped: Wrapped): boolean;
}

/** Key id: the first 16 hex characters of SHA-256 of the key; stable, reveals nothing usable. */
export const masterKeyId = (key: Buffer): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Ordered master keys (base64, 32 bytes each): the first wraps, every one unwraps. Each key is a
 * `KeyObject` built here once, not a buffer turned into one on every wrap and unwrap.
 */
export function createMasterKeyring(base64Keys: readonly string[]): MasterKeyring {
  const keys = new Map<string, KeyObject>();
  for (const k of base64Keys) {
    const key = Buffer.from(k, 'base64');
    if (key.length !== 32) throw new Error('a master key must be 32 bytes');
    keys.set(masterKeyId(key), createSecretKey(key));
  }
  const primaryId = keys.keys().next().value;
  if (!primaryId) throw new Error('at least one master key is required');
  return {
    primaryId,
    wrap: (secret, context) => ({
      keyId: primaryId,
      ciphertext: seal(keys.get(primaryId)!, secret, context),
    }),
    unwrap: ({ keyId, ciphertext }, context) => {
      const key = keys.get(keyId);
      if (!key) throw new UnknownMasterKeyError(keyId);
      return open(key, ciphertext, context);
    },
    isCurrent: ({ keyId, ciphertext }) =>
      keyId === primaryId && sealedFormat(ciphertext) === CURRENT_AAD_FORMAT,
  };
}
