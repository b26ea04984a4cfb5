import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { type AadContext, type AadFormat, buildAad, CURRENT_AAD_FORMAT, isAadFormat } from './aad.ts';
import { DecryptionError } from './decryption-error.ts';

const IV = 12;
const TAG = 16;

/**
 * AES-256-GCM. Output: version (1 byte) | iv (12) | tag (16) | ciphertext. The version byte is the
 * AAD format the blob was sealed with (`AadFormat`); the AAD (`buildAad`) binds the ciphertext to its
 * context (purpose, owner, record): opening it under any other context fails. New seals use the
 * current format. `key` is 32 bytes, or a secret `KeyObject` of them built once by a caller that
 * seals often (the master keyring).
 */
export function seal(key: Buffer | KeyObject, plaintext: Buffer, context: AadContext): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(buildAad(context, CURRENT_AAD_FORMAT), 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(CURRENT_AAD_FORMAT), iv, cipher.getAuthTag(), body]);
}

/**
 * Opens a blob of any known format, building the AAD of the format its version byte names. A
 * changed version byte never opens: the other format's AAD differs, so the tag does not verify.
 */
export function open(key: Buffer | KeyObject, sealed: Buffer, context: AadContext): Buffer {
  const format = sealedFormat(sealed);
  if (format === undefined || sealed.length < 1 + IV + TAG) throw new DecryptionError('malformed ciphertext');
  const iv = sealed.subarray(1, 1 + IV);
  const tag = sealed.subarray(1 + IV, 1 + IV + TAG);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(buildAad(context, format), 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV + TAG)), decipher.final()]);
  } catch {
    throw new DecryptionError('ciphertext does not authenticate under this key and context');
  }
}

/** The AAD format a sealed blob names (its first byte), or undefined for none we know. */
export function sealedFormat(sealed: Uint8Array): AadFormat | undefined {
  const version = sealed[0];
  return isAadFormat(version) ? version : undefined;
}
