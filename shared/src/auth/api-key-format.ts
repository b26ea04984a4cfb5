import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Personal API keys look like `vak_` + 36 random base62 characters (214 bits) + 6 base62
 * characters of the CRC32 of the random part, like GitHub's tokens: a secret scanner recognises
 * one by its prefix and tells a real one from a lookalike by its checksum, offline; so does the
 * vector API before it asks anything.
 */
export const API_KEY_PREFIX = 'vak_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 36;
const CHECK_CHARS = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + RANDOM_CHARS + CHECK_CHARS;
/** The characters of a key shown in lists to tell keys apart (prefix and 8 random ones). */
const DISPLAY_CHARS = API_KEY_PREFIX.length + 8;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_CHARS + CHECK_CHARS}}$`);

function base62(value: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Uniform base62 characters: bytes of 248 and above (not a multiple of 62) are drawn again. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

const checksum = (random: string) => base62(crc32(random), CHECK_CHARS);

/** A new key. Show it once; store only `apiKeyHash(key)` and `apiKeyDisplayPrefix(key)`. */
export function newApiKey(): string {
  const random = randomBase62(RANDOM_CHARS);
  return `${API_KEY_PREFIX}${random}${checksum(random)}`;
}

/** Whether `value` has a key's prefix, length, alphabet and a checksum that matches. */
export function isApiKeyShaped(value: string): boolean {
  if (value.length !== API_KEY_LENGTH || !SHAPE.test(value)) return false;
  const random = value.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_CHARS);
  return value.endsWith(checksum(random));
}

/**
 * What is stored and looked up: SHA-256, base64url. A key carries 214 random bits, so a fast hash
 * is as safe as a slow one (nothing to guess) and costs a microsecond per request.
 */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** The start of a key, enough to tell it apart in a list; the rest stays secret. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, DISPLAY_CHARS);
}
