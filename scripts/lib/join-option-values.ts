/**
 * `--subject -Ab3` means the value `-Ab3` (ids are base64url and may start with a dash), which
 * `util.parseArgs` refuses as an option-like value: each string option's next argument is joined
 * to it (`--subject=-Ab3`) before parsing.
 */
export function joinOptionValues(
  args: readonly string[],
  options: Record<string, { type: string }>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([a-z][a-z-]*)$/.exec(args[i]!)?.[1];
    if (name && options[name]?.type === 'string' && i + 1 < args.length) {
      out.push(`--${name}=${args[++i]}`);
    } else {
      out.push(args[i]!);
    }
  }
  return out;
}
