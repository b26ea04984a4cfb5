import { parseArgs } from 'node:util';

/** One option of a command: what `util.parseArgs` needs, and what `--help` says of it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string;
  /** The value's placeholder in the help: `--limit N`. */
  value?: string;
  /** A whole number in this range, checked (the default too) before the command runs. */
  whole?: { min: number; max?: number };
  /** What it does, in a line. */
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** A command (or an admin CLI subcommand): how it is run, what it does, its options, an example. */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** Who speaks in error lines: `bench`, `admin`. */
  name: string;
  /** How it is run, up to its arguments: `npm run bench --`, `npm run admin -- clients get`. */
  run: string;
  /** Its positional arguments, one word each, for the usage line: `<client_id>`; none when absent. */
  args?: string;
  /** What it does: a sentence or a few. */
  summary: string;
  options: O;
  examples: readonly string[];
  /** Lines the help ends with (environment variables, what is printed). */
  notes?: string;
}

/** A mistake on the command line, said in one line (`usageLine`); the process exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `args` read against `command`: `null` when `--help` (or `-h`) is among them, otherwise the
 * option values (defaults applied) and the positionals. An unknown option, a missing value, a
 * whole number out of range or an extra argument is a `UsageError` saying which.
 */
export function parseCommandLine<const O extends OptionSpecs>(
  command: CommandSpec<O>,
  args: readonly string[],
) {
  const options = command.options as OptionSpecs;
  const most = command.args ? command.args.split(' ').length : 0;
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && (t.rawName === '--help' || t.rawName === '-h'))) return null;
  let given = 0;
  for (const token of tokens) {
    if (token.kind === 'positional' && ++given > most)
      throw new UsageError(`unexpected argument '${token.value}'`);
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === 'string' && token.value === undefined)
      throw new UsageError(`${token.rawName} needs a value`);
    if (spec.type === 'boolean' && token.inlineValue) throw new UsageError(`${token.rawName} takes no value`);
  }
  const parsed = parseArgs({
    args: [...args],
    options: command.options,
    strict: true,
    allowPositionals: true,
  });
  const values = parsed.values as Record<string, unknown>;
  for (const [name, spec] of Object.entries(options)) {
    const value = values[name];
    if (!spec.whole || typeof value !== 'string') continue;
    const { min, max } = spec.whole;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`--${name} must be a whole number ${range}, got '${value}'`);
    }
  }
  return parsed;
}

/** `--help`: the usage line, what it does, each option with its default, examples. */
export function formatHelp(command: CommandSpec): string {
  const rows = Object.entries(command.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
    const facts = [
      ...(o.default !== undefined ? [`default: ${o.default}`] : []),
      ...(o.whole && (o.whole.max !== undefined || o.whole.min !== 1) ? [range(o.whole)] : []),
      ...(o.multiple ? ['may be repeated'] : []),
    ];
    return [flag, facts.length ? `${o.help} (${facts.join('; ')})` : o.help];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag!.length));
  return [
    `usage: ${command.run}${command.args ? ` ${command.args}` : ''} [options]`,
    '',
    sentence(command.summary),
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag!.padEnd(width)}   ${help}`),
    '',
    command.examples.length === 1 ? 'example:' : 'examples:',
    ...command.examples.map((e) => `  ${e}`),
    ...(command.notes ? ['', command.notes] : []),
  ].join('\n');
}

/** A summary as a sentence: a capital first, a full stop last. */
const sentence = (text: string) =>
  `${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

const range = ({ min, max }: { min: number; max?: number }) =>
  max === undefined ? `at least ${min}` : `${min} to ${max}`;

/** A usage mistake as the one line a command prints: what is wrong, and where the help is. */
export function usageLine(command: Pick<CommandSpec, 'name' | 'run'>, message: string): string {
  return `${command.name}: ${message} (see \`${command.run} --help\`)`;
}

/** Says `message` as a usage mistake of `command` on stderr and exits 2. */
export function exitWithUsageError(command: Pick<CommandSpec, 'name' | 'run'>, message: string): never {
  console.error(usageLine(command, message));
  return process.exit(2);
}

/** `parseCommandLine` for a script: `--help` prints the help and exits 0, a mistake its line and exits 2. */
export function parseOrExit<const O extends OptionSpecs>(
  command: CommandSpec<O>,
  args: readonly string[] = process.argv.slice(2),
) {
  let parsed: ReturnType<typeof parseCommandLine<O>>;
  try {
    parsed = parseCommandLine(command, args);
  } catch (err) {
    if (err instanceof UsageError) exitWithUsageError(command, err.message);
    throw err;
  }
  if (parsed === null) {
    console.log(formatHelp(command));
    return process.exit(0);
  }
  return parsed;
}
