import { hasDuplicateJsonKeys } from './duplicate-json-keys.ts';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * What is wrong with `text` as a signed JWT before any key is looked at: too long, not three
 * base64url parts, or a header or payload that names a member twice (ambiguous: `JSON.parse`
 * keeps the last one silently, another reader may keep the first). `undefined` when nothing is.
 */
export function compactJwsProblem(
  text: string,
  maxLength: number,
): 'too large' | 'not a signed JWT' | 'ambiguous' | undefined {
  if (text.length > maxLength) return 'too large';
  if (!JWS_COMPACT.test(text)) return 'not a signed JWT';
  const [header = '', payload = ''] = text.split('.');
  if ([header, payload].some((part) => hasDuplicateJsonKeys(Buffer.from(part, 'base64url').toString('utf8'))))
    return 'ambiguous';
  return undefined;
}
