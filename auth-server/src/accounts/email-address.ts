import { z } from 'zod';

/**
 * E-mail addresses are compared in one canonical form: trimmed, Unicode NFC, lower-cased.
 * (Lower-casing the local part is what users expect, though RFC 5321 allows case to matter.)
 */
export function normaliseEmail(input: string): string {
  return input.trim().normalize('NFC').toLowerCase();
}

export const emailSchema = z
  .string()
  .transform(normaliseEmail)
  .pipe(z.string().max(254, 'is too long').email('is not a valid e-mail address'));
