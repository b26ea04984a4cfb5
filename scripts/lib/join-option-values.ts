/**
 * Ids are base64url and may start with a dash, which `util.parseArgs` takes for an option:
 * - `--subject -Ab3` means the value `-Ab3`: each string option's next argument is joined to it
 *   (`--subject=-Ab3`);
 * - `keys promote -Ab3` means the positional `-Ab3`: an argument that is neither a long option
 *   (`--name`, `--name=value`) nor a one-letter flag (`-h`) is a positional, and when one such
 *   starts with a dash the positionals go after a `--`, in their order.
 * A mistyped long option still reaches parseArgs as an option (and is refused there).
 */
export function joinOptionValues(
  args: readonly string[],
  options: Record<string, { type: string }>,
): string[] {
  const optionArgs: string[] = [];
  const positionals: string[] = [];
  let terminated = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (terminated) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      terminated = true;
      continue;
    }
    const name = /^--([a-z][a-z-]*)$/.exec(arg)?.[1];
    if (name && options[name]?.type === 'string' && i + 1 < args.length) {
      optionArgs.push(`--${name}=${args[++i]}`);
    } else if (/^--[a-z][a-z-]*(=.*)?$/s.test(arg) || /^-[a-zA-Z]$/.test(arg)) {
      optionArgs.push(arg);
    } else {
      positionals.push(arg);
    }
  }
  return positionals.some((p) => p.startsWith('-'))
    ? [...optionArgs, '--', ...positionals]
    : [...optionArgs, ...positionals];
}
