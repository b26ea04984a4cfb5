import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

/** The rules in plain words, shown beside every new-password field before it is submitted. */
export const PASSWORD_RULES = `At least ${MIN_PASSWORD_LENGTH} characters (at most ${MAX_PASSWORD_BYTES} bytes). No rules about symbols or digits; very common passwords are refused. Long passphrases are welcome.`;

const common = new Set((dictionary as Record<string, string[]>)['passwords-common'] ?? []);

/**
 * NIST SP 800-63B style: a minimum length, no composition rules, common passwords refused.
 * Returns the problem in plain words, or undefined when the password is acceptable.
 */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return `Use at most ${MAX_PASSWORD_BYTES} bytes (fewer characters if you use accents or emoji).`;
  }
  if (common.has(password.toLowerCase())) return 'This password is too common. Choose another one.';
  return undefined;
}

/** Whether bcrypt could compare this input without truncating it. */
export const fitsBcrypt = (password: string) => Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
