import { AdminCliError, adminApiFromEnv } from './admin/admin-api.ts';
import { ADMIN_COMMANDS, type AdminCommand } from './admin/admin-commands.ts';
import { formatHelp, parseCommandLine, UsageError, usageLine } from './lib/command-line.ts';
import { joinOptionValues } from './lib/join-option-values.ts';

/**
 * Operator CLI: `npm run admin -- <group> <verb> [options]` (scripts/admin/admin-commands.ts lists
 * them). Talks to the admin API (never to the database). `--help` on its own lists the commands,
 * after a group its commands, after a command its options. A mistake on the command line is one
 * line and exit 2, as is an error answer of the API.
 */
const ADMIN = { name: 'admin', run: 'npm run admin --' } as const;

/** The commands (all, or one group's) with what each does. */
function overview(commands: readonly AdminCommand[]): string {
  const names = commands.map((c) => `${c.words}${c.args ? ` ${c.args}` : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: npm run admin -- <command> [options]',
    '',
    "The operator CLI: it talks to the auth server's admin API, never to the database.",
    'ADMIN_URL (default http://$ADMIN_HOST:$ADMIN_PORT, i.e. http://127.0.0.1:3001) and ADMIN_TOKEN',
    '(default: DATA_DIR/secrets/admin-token, the one npm start keeps).',
    '',
    'commands:',
    ...commands.map((c, i) => `  ${names[i]!.padEnd(width)}   ${c.summary}`),
    '',
    'Each command has its own help: npm run admin -- <command> --help.',
    "Lists print a table for people; --format json prints the admin API's answer, for machines.",
  ].join('\n');
}

function refuse(line: string): never {
  console.error(line);
  return process.exit(2);
}

const argv = process.argv.slice(2);
const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
const [group, verb] = argv;

if (group === undefined) refuse(overview(ADMIN_COMMANDS));
if (isHelp(group)) {
  console.log(overview(ADMIN_COMMANDS));
  process.exit(0);
}
if (group.startsWith('-')) refuse(usageLine(ADMIN, `unknown option ${group}; a command comes first`));
const inGroup = ADMIN_COMMANDS.filter((c) => c.words.startsWith(`${group} `));
if (inGroup.length === 0) refuse(usageLine(ADMIN, `unknown command "${group}"`));
const groupHelp = { name: 'admin', run: `npm run admin -- ${group}` };
if (isHelp(verb)) {
  console.log(overview(inGroup));
  process.exit(0);
}
const verbs = inGroup.map((c) => c.words.split(' ')[1]).join(', ');
if (verb === undefined || verb.startsWith('-'))
  refuse(usageLine(groupHelp, `${group} needs a command: ${verbs}`));
const found = inGroup.find((c) => c.words === `${group} ${verb}`);
if (!found) refuse(usageLine(groupHelp, `unknown command "${group} ${verb}"; ${group} has ${verbs}`));
const command: AdminCommand = found;

try {
  const parsed = parseCommandLine(command, joinOptionValues(argv.slice(2), command.options));
  if (parsed === null) {
    console.log(formatHelp(command));
    process.exit(0);
  }
  await command.execute({
    api: adminApiFromEnv(process.env),
    values: parsed.values,
    args: parsed.positionals,
    print: (text) => console.log(text),
  });
} catch (err) {
  if (err instanceof UsageError) refuse(usageLine(command, err.message));
  if (err instanceof AdminCliError) refuse(`admin: ${err.message}`);
  throw err;
}
