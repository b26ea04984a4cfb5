/**
 * What Postgres refuses in a text parameter, checked before any string of a request can reach a
 * query: a NUL character ("unsupported Unicode escape sequence"), text that is not Unicode (a lone
 * UTF-16 surrogate from a JSON `\ud800`, bytes that are not UTF-8 such as `%ED%A0%80`), and, from
 * URLs, headers and forms, a value longer than any identifier, token or field we take.
 * Each function answers with a sentence naming the problem, or `undefined` when the input is fine.
 */

/** The longest single value (a path segment, a query or form value, a credential) we accept. */
export const MAX_INPUT_CHARS = 8192;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A decoded string: no NUL, no lone surrogate, at most `maxChars` UTF-16 units. */
export function stringProblem(value: string, maxChars = MAX_INPUT_CHARS): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (!value.isWellFormed()) return 'is not valid Unicode (lone surrogate)';
  if (value.length > maxChars) return `is longer than ${maxChars} characters`;
  return undefined;
}

/** Bytes that must be UTF-8 text: no NUL, no surrogate or overlong encoding, no stray byte. */
export function bytesProblem(bytes: Uint8Array, maxChars = MAX_INPUT_CHARS): string | undefined {
  if (bytes.length <= maxChars && asciiWithoutNul(bytes)) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return 'is not valid UTF-8';
  }
  return stringProblem(text, maxChars);
}

/** ASCII bytes without NUL: UTF-8 text of one character per byte, nothing to decode. */
function asciiWithoutNul(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === 0 || c >= 0x80) return false;
  }
  return true;
}

const hex = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
};

/**
 * Percent-decodes `raw` the way query-string parsers do (`+` as a space when `plusIsSpace`, a `%`
 * not followed by two hex digits kept as it is) into bytes. A string is taken as UTF-8 text (a
 * request line is ASCII: Node refuses any other byte in it).
 */
function percentDecode(raw: string | Uint8Array, plusIsSpace: boolean): Uint8Array {
  const input = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x25 && i + 2 < input.length && hex(input[i + 1]!) >= 0 && hex(input[i + 2]!) >= 0) {
      out[n++] = hex(input[i + 1]!) * 16 + hex(input[i + 2]!);
      i += 2;
    } else out[n++] = plusIsSpace && c === 0x2b ? 0x20 : c;
  }
  return out.subarray(0, n);
}

/**
 * Whether `raw` decodes to ASCII without NUL in at most `maxChars` characters: the common case,
 * answered without decoding into new buffers and strings. `false` means "look closer", not "bad".
 */
function plainAscii(raw: string | Uint8Array, maxChars: number): boolean {
  const at: (i: number) => number =
    typeof raw === 'string' ? (i) => raw.charCodeAt(i) : (i) => raw[i] as number;
  let chars = 0;
  for (let i = 0; i < raw.length; i++, chars++) {
    let c = at(i);
    if (c === 0x25 && i + 2 < raw.length) {
      const high = hex(at(i + 1));
      const low = hex(at(i + 2));
      if (high >= 0 && low >= 0) {
        c = high * 16 + low;
        i += 2;
      }
    }
    if (c === 0 || c >= 0x80) return false;
  }
  return chars <= maxChars;
}

/** One form-urlencoded component (a query or form name or value, a Basic credential part). */
export function componentProblem(raw: string | Uint8Array, maxChars = MAX_INPUT_CHARS): string | undefined {
  if (plainAscii(raw, maxChars)) return undefined;
  return bytesProblem(percentDecode(raw, true), maxChars);
}

/** A URL path: each segment, percent-decoded, must be a fine string. */
export function pathProblem(rawPath: string, maxChars = MAX_INPUT_CHARS): string | undefined {
  // No segment is longer than the whole path: a plain ASCII path within the limit is fine.
  if (plainAscii(rawPath, maxChars)) return undefined;
  for (const segment of rawPath.split('/')) {
    const problem = bytesProblem(percentDecode(segment, false), maxChars);
    if (problem) return `the path ${problem}`;
  }
  return undefined;
}

/**
 * `application/x-www-form-urlencoded` text (a query string or a form body): each name and each
 * value, percent-decoded, must be a fine string. `where` names it in the answer ("the query").
 */
export function formProblem(
  raw: string | Uint8Array,
  where: string,
  maxChars = MAX_INPUT_CHARS,
): string | undefined {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x26) continue;
    const pair = bytes.subarray(start, i);
    start = i + 1;
    const eq = pair.indexOf(0x3d);
    const name = eq < 0 ? pair : pair.subarray(0, eq);
    const nameProblem = componentProblem(name, maxChars);
    if (nameProblem) return `${where} has a parameter name that ${nameProblem}`;
    if (eq < 0) continue;
    const valueProblem = componentProblem(pair.subarray(eq + 1), maxChars);
    if (valueProblem) {
      const label = new TextDecoder().decode(percentDecode(name, true)).slice(0, 40);
      return `${where} parameter "${label.replace(/[^\x20-\x7e]/g, '?')}" ${valueProblem}`;
    }
  }
  return undefined;
}

/**
 * A parsed body (JSON or form fields): every string and every key, at any depth, must be fine.
 * Walks without recursion, so a hostile nesting cannot exhaust the stack. Lengths are left to the
 * body limit and each endpoint's schema (metadata may hold long text).
 */
export function valueProblem(value: unknown, where = 'the body'): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      const problem = stringProblem(item, Number.POSITIVE_INFINITY);
      if (problem) return `${where} has a string that ${problem}`;
    } else if (Array.isArray(item)) {
      // Numbers (most of a vector upload) need no look.
      for (const element of item) if (typeof element !== 'number') pending.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        const problem = stringProblem(key, Number.POSITIVE_INFINITY);
        if (problem) return `${where} has a key that ${problem}`;
        pending.push(element);
      }
    }
  }
  return undefined;
}
