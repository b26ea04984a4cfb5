/**
 * What a ciphertext is and whose: its purpose and the fields that name its owner and place. Every
 * sealing site names one of these; `buildAad` turns it into the AAD, so a ciphertext opens only
 * where it was sealed (rows cannot be swapped between owners, records, purposes).
 */
export type AadContext =
  | { purpose: 'client-secret'; clientId: string }
  | { purpose: 'signing-key'; kid: string }
  | { purpose: 'totp-secret'; accountId: string }
  | { purpose: 'data-key'; principal: string; dataKeyId: string }
  | { purpose: 'record'; principal: string; collectionId: string; recordId: string; seq: number }
  | { purpose: 'snapshot'; principal: string; collectionId: string; version: number; header: string };

/**
 * AAD formats, named by the version byte every sealed blob starts with (see aead.ts), so an
 * opener knows the format without trying each:
 * - 1: the per-purpose strings written before formats were versioned (still opened; master-key
 *   rotation rewraps master-key-wrapped secrets out of it);
 * - 2: one canonical form for every purpose (`buildAad`), the format number included.
 */
export type AadFormat = 1 | 2;

/** The format every new seal uses. */
export const CURRENT_AAD_FORMAT: AadFormat = 2;

export const isAadFormat = (value: number | undefined): value is AadFormat => value === 1 || value === 2;

/** The context's fields in their fixed order (the purpose decides which and in what order). */
function fields(c: AadContext): (string | number)[] {
  switch (c.purpose) {
    case 'client-secret':
      return [c.clientId];
    case 'signing-key':
      return [c.kid];
    case 'totp-secret':
      return [c.accountId];
    case 'data-key':
      return [c.principal, c.dataKeyId];
    case 'record':
      return [c.principal, c.collectionId, c.recordId, c.seq];
    case 'snapshot':
      return [c.principal, c.collectionId, c.version, c.header];
  }
}

/** Format 1, byte for byte as each sealing site wrote it before formats were versioned. */
function legacyAad(c: AadContext): string {
  switch (c.purpose) {
    case 'client-secret':
      return `client-secret:${c.clientId}`;
    case 'signing-key':
      return `signing-key:${c.kid}`;
    default:
      return JSON.stringify([`vectorauth/${c.purpose}/v1`, ...fields(c)]);
  }
}

/**
 * The AAD of a context in a format. Format 2 is a JSON array `["vectorauth/aad", 2, purpose,
 * ...fields]`: JSON keeps every field apart whatever characters it holds, the purpose keeps
 * purposes apart, and the format number makes it differ from every format-1 string, so a blob
 * whose version byte was changed never opens under the other format.
 */
export function buildAad(context: AadContext, format: AadFormat = CURRENT_AAD_FORMAT): string {
  if (format === 1) return legacyAad(context);
  for (const value of fields(context)) {
    if (typeof value === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string')
      throw new TypeError(`an AAD field of a ${context.purpose} must be a string or a safe integer`);
  }
  return JSON.stringify(['vectorauth/aad', format, context.purpose, ...fields(context)]);
}
