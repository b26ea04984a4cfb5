/**
 * Whether a JSON text has an object with the same member name twice (after unescaping, so
 * `"sub"` and `"\u0073ub"` are the same name). `JSON.parse` keeps the last one silently; a token
 * whose header or claims say two things is ambiguous and refused. Only meaningful for valid JSON
 * (invalid JSON is refused by the parser after this).
 */
export function hasDuplicateJsonKeys(json: string): boolean {
  // One frame per open container: the names seen so far (objects) or null (arrays).
  const frames: { names: Set<string> | null; expectName: boolean }[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const top = frames.at(-1);
      if (top?.names && top.expectName) {
        let name: unknown;
        try {
          name = JSON.parse(json.slice(i, end + 1));
        } catch {
          return false;
        }
        if (typeof name !== 'string' || top.names.has(name)) return typeof name === 'string';
        top.names.add(name);
        top.expectName = false;
      }
      i = end;
    } else if (c === '{') {
      frames.push({ names: new Set(), expectName: true });
    } else if (c === '[') {
      frames.push({ names: null, expectName: false });
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames.at(-1);
      if (top?.names) top.expectName = true;
    }
  }
  return false;
}
