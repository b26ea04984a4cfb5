import {
  type CommandSpec,
  type OptionSpec,
  type OptionSpecs,
  type parseCommandLine,
  UsageError,
} from '../lib/command-line.ts';
import type { AdminApi } from './admin-api.ts';
import {
  type AuditRow,
  auditTable,
  type ClientRow,
  clientsTable,
  type KeyRow,
  keysTable,
  type UserRow,
  usersTable,
} from './admin-tables.ts';

/** The operator CLI's commands (`npm run admin -- <group> <verb>`), each with its own `--help`. */

type Values<O extends OptionSpecs> = NonNullable<ReturnType<typeof parseCommandLine<O>>>['values'];

export interface AdminContext<O extends OptionSpecs> {
  api: AdminApi;
  values: Values<O>;
  /** The positionals after the command's words, as many as its `args` names. */
  args: string[];
  /** A line (or lines) on stdout. */
  print(text: string): void;
}

export interface AdminCommand extends CommandSpec {
  /** `clients list`: the words that name it. */
  words: string;
  execute(context: AdminContext<OptionSpecs>): Promise<void>;
}

/** An admin command: its spec (options typed for `execute`) and what it does. */
function command<const O extends OptionSpecs>(
  spec: Omit<CommandSpec<O>, 'name' | 'run'> & {
    words: string;
    execute(context: AdminContext<O>): Promise<void>;
  },
): AdminCommand {
  return { ...spec, name: 'admin', run: `npm run admin -- ${spec.words}` } as unknown as AdminCommand;
}

const json = (answer: unknown) => JSON.stringify(answer, null, 2);

/** `--format`: `table` for people (the default) or `json` for machines, the API's answer unchanged. */
const tableOrJson = {
  type: 'string',
  value: 'table|json',
  default: 'table',
  help: "table for people, or json for machines: the admin API's answer as it is",
} as const satisfies OptionSpec;

/** `--format json` on a command that prints the API's answer as it is (the only format it has). */
const jsonOnly = {
  type: 'string',
  value: 'json',
  default: 'json',
  help: "the admin API's answer as it is",
} as const satisfies OptionSpec;

function formatOf<const F extends string>(given: string | undefined, allowed: readonly F[]): F {
  if (allowed.includes(given as F)) return given as F;
  throw new UsageError(`--format must be ${allowed.join(' or ')}, got '${given}'`);
}

/** A list: the table for people, or the answer as JSON. */
function printList<T>(
  context: { values: { format?: string }; print(text: string): void },
  answer: T,
  table: (a: T) => string,
) {
  const format = formatOf(context.values.format, ['table', 'json']);
  context.print(format === 'json' ? json(answer) : table(answer));
}

/** A single answer (a client, a key, a token): printed as JSON, as it always was. */
function printAnswer(context: { values: { format?: string }; print(text: string): void }, answer: unknown) {
  formatOf(context.values.format, ['json']);
  context.print(json(answer));
}

function required(value: string | undefined, what: string, hint?: string): string {
  if (!value) throw new UsageError(`${what} is required${hint ? ` ${hint}` : ''}`);
  return value;
}

const id = (value: string) => encodeURIComponent(value);

export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  command({
    words: 'clients create',
    summary: 'register a client and print it with its secret (shown this once)',
    notes:
      "The metadata is RFC 7591's plus first_party; the admin API refuses anything else, naming the field.",
    options: {
      name: { type: 'string', value: '<name>', help: 'its name, shown on the consent page (required)' },
      grant: {
        type: 'string',
        value: '<type>',
        multiple: true,
        help: 'a grant type: authorization_code (without any: the only one), refresh_token, client_credentials',
      },
      scope: { type: 'string', value: '"<scopes>"', help: 'the scopes it may ask for, space-separated' },
      'redirect-uri': {
        type: 'string',
        value: '<uri>',
        multiple: true,
        help: 'where authorization answers go',
      },
      public: { type: 'boolean', help: 'a public client (no secret; PKCE), e.g. a native or browser app' },
      'first-party': { type: 'boolean', help: 'one of ours: no consent screen' },
      format: {
        type: 'string',
        value: 'json|env',
        default: 'json',
        help: "json: the admin API's answer; env: CLIENT_ID='...' and CLIENT_SECRET='...' lines for eval",
      },
    },
    examples: [
      "npm run admin -- clients create --name reports --grant client_credentials --scope 'vectors:read'",
      'eval "$(npm run -s admin -- clients create --name demo --grant client_credentials --format env)"',
    ],
    async execute({ api, values, print }) {
      const format = formatOf(values.format, ['json', 'env']);
      const client = (await api.call('POST', '/admin/clients', {
        client_name: required(values.name, '--name'),
        grant_types: values.grant,
        scope: values.scope,
        redirect_uris: values['redirect-uri'],
        token_endpoint_auth_method: values.public ? 'none' : undefined,
        first_party: values['first-party'] ?? false,
      })) as { client_id: string; client_secret?: string };
      if (format === 'json') return print(json(client));
      print(`CLIENT_ID='${client.client_id}'`);
      if (client.client_secret) print(`CLIENT_SECRET='${client.client_secret}'`);
    },
  }),
  command({
    words: 'clients list',
    summary: 'list the registered clients (never their secrets)',
    options: { format: tableOrJson },
    examples: ['npm run admin -- clients list', 'npm run admin -- clients list --format json'],
    async execute(context) {
      const answer = (await context.api.call('GET', '/admin/clients')) as { clients: ClientRow[] };
      printList(context, answer, clientsTable);
    },
  }),
  command({
    words: 'clients get',
    args: '<client_id>',
    summary: "print a client's registered metadata (never its secret)",
    options: { format: jsonOnly },
    examples: ['npm run admin -- clients get HBHnRXAN_RPM1FZyZWjOrw'],
    async execute(context) {
      const clientId = required(context.args[0], 'a client_id');
      printAnswer(context, await context.api.call('GET', `/admin/clients/${id(clientId)}`));
    },
  }),
  command({
    words: 'clients delete',
    args: '<client_id>',
    summary: 'delete a client, its grants and its tokens (refused from now on)',
    options: {},
    examples: ['npm run admin -- clients delete HBHnRXAN_RPM1FZyZWjOrw'],
    async execute({ api, args, print }) {
      const clientId = required(args[0], 'a client_id');
      await api.call('DELETE', `/admin/clients/${id(clientId)}`);
      print(`deleted ${clientId}`);
    },
  }),
  command({
    words: 'clients first-party',
    args: '<client_id>',
    summary: 'mark a client first-party: no consent screen (--off unmarks it)',
    options: {
      off: { type: 'boolean', help: 'unmark it: its users see the consent screen again' },
      format: jsonOnly,
    },
    examples: ['npm run admin -- clients first-party HBHnRXAN_RPM1FZyZWjOrw --off'],
    async execute(context) {
      const clientId = required(context.args[0], 'a client_id');
      const body = { first_party: !context.values.off };
      printAnswer(context, await context.api.call('PATCH', `/admin/clients/${id(clientId)}`, body));
    },
  }),
  command({
    words: 'clients rotate-secret',
    args: '<client_id>',
    summary: 'give a client a new secret, printed this once; the old one stops working',
    options: {
      'revoke-tokens': { type: 'boolean', help: 'also revoke every token issued to the client' },
      format: jsonOnly,
    },
    examples: ['npm run admin -- clients rotate-secret HBHnRXAN_RPM1FZyZWjOrw --revoke-tokens'],
    async execute(context) {
      const clientId = required(context.args[0], 'a client_id');
      const body = { revoke_tokens: context.values['revoke-tokens'] ?? false };
      printAnswer(context, await context.api.call('POST', `/admin/clients/${id(clientId)}/secret`, body));
    },
  }),
  command({
    words: 'initial-access-tokens create',
    summary: 'make an initial access token for RFC 7591 registration at /reg',
    options: {
      'expires-in': {
        type: 'string',
        value: '<seconds>',
        whole: { min: 1 },
        help: 'how long it can be used (default: the admin API’s, 86400)',
      },
      format: jsonOnly,
    },
    examples: ['npm run admin -- initial-access-tokens create --expires-in 600'],
    async execute(context) {
      const expiresIn = context.values['expires-in'];
      const body = expiresIn ? { expires_in: Number(expiresIn) } : {};
      printAnswer(context, await context.api.call('POST', '/admin/initial-access-tokens', body));
    },
  }),
  command({
    words: 'users list',
    summary: 'list the user accounts, a page at a time',
    options: {
      offset: { type: 'string', value: 'N', default: '0', whole: { min: 0 }, help: 'accounts to skip' },
      limit: {
        type: 'string',
        value: 'N',
        default: '50',
        whole: { min: 1, max: 200 },
        help: 'accounts to show',
      },
      format: tableOrJson,
    },
    examples: ['npm run admin -- users list --offset 50 --limit 50'],
    async execute(context) {
      const query = new URLSearchParams({ offset: context.values.offset, limit: context.values.limit });
      const answer = (await context.api.call('GET', `/admin/users?${query}`)) as {
        users: UserRow[];
        total: number;
        offset: number;
        limit: number;
      };
      printList(context, answer, usersTable);
    },
  }),
  command({
    words: 'users disable',
    args: '<user_id>',
    summary: 'disable a user: sessions and grants end, tokens and sign-ins are refused',
    options: {},
    examples: ['npm run admin -- users disable 3f6c1c9e-8a8e-4a59-9d1f-2a1f0d5e7b21'],
    async execute({ api, args, print }) {
      const userId = required(args[0], 'a user id');
      await api.call('POST', `/admin/users/${id(userId)}/disable`);
      print(`disabled ${userId}`);
    },
  }),
  command({
    words: 'users delete',
    args: '<user_id>',
    summary: 'delete a user and their data (the vector API destroys their data key)',
    options: {},
    examples: ['npm run admin -- users delete 3f6c1c9e-8a8e-4a59-9d1f-2a1f0d5e7b21'],
    async execute({ api, args, print }) {
      const userId = required(args[0], 'a user id');
      await api.call('DELETE', `/admin/users/${id(userId)}`);
      print(`deleted ${userId}`);
    },
  }),
  command({
    words: 'keys list',
    summary: 'list the signing keys: current, next, retired, revoked',
    options: { format: tableOrJson },
    examples: ['npm run admin -- keys list'],
    async execute(context) {
      const answer = (await context.api.call('GET', '/admin/keys')) as { keys: KeyRow[] };
      printList(context, answer, keysTable);
    },
  }),
  command({
    words: 'keys rotate',
    summary: 'stage a new next key: published at once, signing once promoted',
    options: {
      alg: { type: 'string', value: 'ES256|RS256|PS256|EdDSA', help: 'its algorithm (default: SIGNING_ALG)' },
      format: jsonOnly,
    },
    examples: ['npm run admin -- keys rotate --alg ES256'],
    async execute(context) {
      const body = context.values.alg ? { alg: context.values.alg } : {};
      printAnswer(context, await context.api.call('POST', '/admin/keys/rotate', body));
    },
  }),
  ...(['promote', 'retire', 'revoke'] as const).map((verb) =>
    command({
      words: `keys ${verb}`,
      args: '<kid>',
      summary: {
        promote: 'next -> current: it signs from now on, the current key is retired',
        retire: 'withdraw a staged next key',
        revoke: 'emergency: unpublish a key at once; its tokens are refused everywhere',
      }[verb],
      options: { format: jsonOnly },
      examples: [`npm run admin -- keys ${verb} <kid from keys list>`],
      async execute(context) {
        const kid = required(context.args[0], 'a kid', '(one from `npm run admin -- keys list`)');
        printAnswer(context, await context.api.call('POST', `/admin/keys/${id(kid)}/${verb}`, {}));
      },
    }),
  ),
  command({
    words: 'revocations replay',
    summary: "rebuild Redis's revocation list from Postgres (after Redis lost its data)",
    options: { format: jsonOnly },
    examples: ['npm run admin -- revocations replay'],
    async execute(context) {
      printAnswer(context, await context.api.call('POST', '/admin/revocations/replay'));
    },
  }),
  command({
    words: 'audit list',
    summary: 'list the audit trail, newest first, a page at a time',
    options: {
      action: { type: 'string', value: '<action>', help: 'only this action, e.g. user.sign_in' },
      subject: { type: 'string', value: '<id>', help: 'only events about this user, client or key' },
      actor: { type: 'string', value: '<id>', help: 'only events done by this user or client' },
      client: { type: 'string', value: '<client_id>', help: 'only events of this OAuth client' },
      outcome: { type: 'string', value: 'success|failure', help: 'only this outcome' },
      since: { type: 'string', value: '<ISO 8601>', help: 'only events at or after this time' },
      until: { type: 'string', value: '<ISO 8601>', help: 'only events before this time' },
      limit: { type: 'string', value: 'N', help: 'events to show, 1 to 500 (default: 100)' },
      before: {
        type: 'string',
        value: '<event id>',
        help: 'only events older than this one (the next page)',
      },
      format: tableOrJson,
    },
    examples: ['npm run admin -- audit list --action user.sign_in --outcome failure --limit 20'],
    async execute(context) {
      const { values } = context;
      const filters = {
        action: values.action,
        subject_id: values.subject,
        actor_id: values.actor,
        client_id: values.client,
        outcome: values.outcome,
        since: values.since,
        until: values.until,
        before: values.before,
        limit: values.limit,
      };
      const query = new URLSearchParams(
        Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      const answer = (await context.api.call('GET', `/admin/audit?${query}`)) as {
        events: AuditRow[];
        next_before: string | null;
      };
      printList(context, answer, auditTable);
    },
  }),
];
