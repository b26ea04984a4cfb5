import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How many recovery codes an enrolment gives. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 alphabet, lower case: no i, l, o or u to misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 16 characters of 5 bits: 80 random bits, out of reach of guessing and of reversing the hash. */
const LENGTH = 16;

/** Ten new recovery codes, as shown once: `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    // 256 is a multiple of 32: each byte's low five bits pick a character uniformly.
    const chars = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What was typed, as stored: case, spaces and dashes ignored, look-alike letters read as digits. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

/** Whether `typed` has the shape of a recovery code at all (checked before any lookup). */
export const looksLikeRecoveryCode = (typed: string): boolean =>
  new RegExp(`^[${ALPHABET}]{${LENGTH}}$`).test(normaliseRecoveryCode(typed));

/** The stored form: SHA-256 (the codes are random and long, so a plain hash is enough). */
export const hashRecoveryCode = (typed: string): Buffer =>
  createHash('sha256').update(normaliseRecoveryCode(typed)).digest();

/** The one of `stored` that `typed` is, compared in constant time against every one of them. */
export function matchRecoveryCode(typed: string, stored: readonly Buffer[]): Buffer | undefined {
  const hash = hashRecoveryCode(typed);
  let found: Buffer | undefined;
  for (const candidate of stored) {
    if (candidate.length === hash.length && timingSafeEqual(candidate, hash)) found = candidate;
  }
  return found;
}
