import { parseArgs } from 'node:util';

/** Each option: its default and the range of whole numbers it takes. */
export type WholeNumberOptions = Record<string, { default: number; min: number; max: number }>;

/**
 * A command's `--name N` options, each a whole number within its range, and `--help`. A bad or
 * unknown option prints what is wrong and `usage`, and exits 2; `--help` prints `usage` and exits 0.
 */
export function parseWholeNumberOptions<T extends WholeNumberOptions>(
  spec: T,
  usage: string,
  args: string[] = process.argv.slice(2),
): { [K in keyof T]: number } {
  const refuse = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({
      args,
      options: {
        ...Object.fromEntries(
          Object.entries(spec).map(([name, o]) => [
            name,
            { type: 'string' as const, default: String(o.default) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    refuse((err as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const parsed: Record<string, number> = {};
  for (const [name, { min, max }] of Object.entries(spec)) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) {
      refuse(`--${name} must be a whole number from ${min} to ${max}, got '${String(values[name])}'`);
    }
    parsed[name] = n;
  }
  return parsed as { [K in keyof T]: number };
}
