/**
 * `compute` of a header value, remembered for the last values seen: a client sends the same
 * Authorization header on every request, so what is derived from it (a check, a bucket) is
 * worked out once. Bounded: values up to `maxLength` characters (longer ones are computed every
 * time), at most `maxEntries` of them, all forgotten when full. A flood of made-up values costs
 * what it did without the memo, and it holds at most `maxEntries * maxLength` characters.
 * `compute` must be pure: the same value always gives the same result.
 */
export function createHeaderMemo<T>(
  compute: (value: string) => T,
  options: { maxEntries?: number; maxLength?: number } = {},
): (value: string) => T {
  const maxEntries = options.maxEntries ?? 1024;
  const maxLength = options.maxLength ?? 512;
  const remembered = new Map<string, T>();
  return function memo(value) {
    if (remembered.has(value)) return remembered.get(value) as T;
    const result = compute(value);
    if (value.length > maxLength) return result;
    if (remembered.size >= maxEntries) remembered.clear();
    remembered.set(value, result);
    return result;
  };
}
