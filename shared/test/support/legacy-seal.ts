import { createCipheriv, randomBytes } from 'node:crypto';
import { type AadContext, buildAad } from '../../src/crypto/aad.ts';
import { masterKeyId, type Wrapped } from '../../src/crypto/master-keyring.ts';

/**
 * Seals as the code did before AAD formats were versioned: version byte 1, AES-256-GCM, the
 * per-purpose AAD strings (format 1). Tests use it to lay down "existing data" that must still
 * open and that master-key rotation must move to the current format.
 */
export function legacySeal(key: Buffer, plaintext: Buffer, context: AadContext): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(buildAad(context, 1), 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(1), iv, cipher.getAuthTag(), body]);
}

/** `legacySeal` under a master key (base64), as the keyring's `wrap` did then. */
export function legacyWrap(base64Key: string, secret: Buffer, context: AadContext): Wrapped {
  const key = Buffer.from(base64Key, 'base64');
  return { keyId: masterKeyId(key), ciphertext: legacySeal(key, secret, context) };
}
