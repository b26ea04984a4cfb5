import { randomBytes } from 'node:crypto';

const PREFIX = '!federated:';

/**
 * The password hash of an account made through an upstream provider: no password matches it
 * (bcrypt compares only 60-character hashes), and "forgot password" replaces it with a real one.
 */
export const unusablePasswordHash = () => `${PREFIX}${randomBytes(24).toString('base64url')}`;

/** Whether the account can sign in with a password (so losing its last link does not lock it out). */
export const hasUsablePassword = (passwordHash: string) => !passwordHash.startsWith(PREFIX);
