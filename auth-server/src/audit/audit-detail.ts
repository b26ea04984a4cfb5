/** Keys whose values never enter the audit trail, whatever they hold. */
const SECRET_KEY = /password|secret|token|code|authorization|cookie/i;
/** A value shaped like a JWT (or JWE) is dropped even under an innocent key. */
const JWT_LIKE = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;
const MAX_STRING = 256;
const MAX_ENTRIES = 20;
const MAX_DEPTH = 3;

/** Cuts a string to `max` characters (marking the cut); empty and missing values become null. */
export function bounded(value: string | undefined | null, max = MAX_STRING): string | null {
  if (!value) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

function clean(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return JWT_LIKE.test(value) ? '[redacted]' : bounded(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (depth + 1 >= MAX_DEPTH) return [];
    return value.slice(0, MAX_ENTRIES).map((item) => clean(item, depth + 1) ?? null);
  }
  return sanitise(value as Record<string, unknown>, depth + 1);
}

function sanitise(detail: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH) return out;
  for (const [key, value] of Object.entries(detail).slice(0, MAX_ENTRIES)) {
    if (SECRET_KEY.test(key)) continue;
    const cleaned = clean(value, depth);
    if (cleaned !== undefined) out[bounded(key, 64)!] = cleaned;
  }
  return out;
}

/**
 * The `detail` of an audit event as stored and logged: no key that names a secret (password,
 * secret, token, code, authorization, cookie), no JWT-shaped value, strings of at most 256
 * characters, at most 20 entries per level and 3 levels.
 */
export function sanitiseDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  return detail ? sanitise(detail, 0) : {};
}
