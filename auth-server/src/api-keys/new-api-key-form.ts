import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';

/** What a person's own key may carry: what a person can grant any app (never `admin`). */
export const PERSONAL_KEY_SCOPES: readonly string[] = VECTOR_SCOPE_NAMES.filter((s) => s !== 'admin');
/** The lifetimes offered; a key never lives longer than a year. */
export const API_KEY_EXPIRY_DAYS: readonly number[] = [7, 30, 90, 365];
const MAX_NAME = 60;

export type NewApiKeyInput =
  | { ok: true; value: { name: string; scopes: string[]; expiresInDays: number } }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads the create-a-key form: a name (1-60 characters, no control characters), at least one
 * scope among `allowed` (one `scope:<name>` checkbox each; a scope outside `allowed` is refused,
 * not dropped), and one of the offered lifetimes.
 */
export function readNewApiKey(
  form: Record<string, string>,
  allowed: readonly string[] = PERSONAL_KEY_SCOPES,
): NewApiKeyInput {
  const errors: Record<string, string> = {};
  const name = (form.name ?? '').trim();
  if (name.length === 0) errors.name = 'Give the key a name, so you know what uses it.';
  else if (name.length > MAX_NAME) errors.name = `The name is too long (${MAX_NAME} characters at most).`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  else if (/[\u0000-\u001f\u007f]/.test(name)) errors.name = 'The name cannot contain control characters.';
  const asked = Object.keys(form)
    .filter((field) => field.startsWith('scope:') && form[field] === 'on')
    .map((field) => field.slice('scope:'.length));
  const refused = asked.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0)
    errors.scope = `A key cannot have ${refused.join(', ')}: choose among ${allowed.join(', ')}.`;
  else if (asked.length === 0) errors.scope = 'Choose at least one kind of access.';
  const expiresInDays = Number(form.expires ?? 30);
  if (!API_KEY_EXPIRY_DAYS.includes(expiresInDays))
    errors.expires = `Choose how long it lasts: ${API_KEY_EXPIRY_DAYS.join(', ')} days.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name, scopes: [...new Set(asked)], expiresInDays } };
}
