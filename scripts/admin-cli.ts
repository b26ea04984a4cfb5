import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinOptionValues } from './lib/join-option-values.ts';

/**
 * Operator CLI: `npm run admin -- <command>`. Talks to the admin API (never to the database).
 * ADMIN_URL (default http://127.0.0.1:3001) and ADMIN_TOKEN (default: DATA_DIR/secrets/admin-token).
 */
const USAGE = `usage: npm run admin -- <command> [options]

  clients create --name <name> [--grant <type>]... [--scope "<scopes>"] [--redirect-uri <uri>]...
                 [--public] [--first-party] [--format json|env]
  clients list
  clients get <client_id>
  clients delete <client_id>
  clients first-party <client_id> [--off]       mark (or unmark) a client first-party: no consent screen
  clients rotate-secret <client_id> [--revoke-tokens]
  initial-access-tokens create [--expires-in <seconds>]   for RFC 7591 registration at /reg
  users list [--offset N] [--limit N]
  users disable <user_id>
  users delete <user_id>
  keys list
  keys rotate [--alg ES256|RS256|PS256|EdDSA]   stage a new next key (published, not signing)
  keys promote <kid>      next -> current (the current key becomes retired)
  keys retire <kid>       withdraw a staged next key
  keys revoke <kid>       emergency: unpublish at once, resource servers refuse its tokens
  revocations replay      rebuild Redis's revocation list from Postgres
  audit list [--action <action>] [--subject <id>] [--actor <id>] [--client <client_id>]
             [--outcome success|failure] [--since <ISO 8601>] [--until <ISO 8601>]
             [--limit N] [--before <event id>]   the audit trail, newest first

--format env prints CLIENT_ID=... and CLIENT_SECRET=... lines for eval.`;

const OPTIONS = {
  name: { type: 'string' },
  grant: { type: 'string', multiple: true },
  scope: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' },
  format: { type: 'string', default: 'json' },
  alg: { type: 'string' },
  off: { type: 'boolean' },
  'revoke-tokens': { type: 'boolean' },
  'expires-in': { type: 'string' },
  offset: { type: 'string' },
  limit: { type: 'string' },
  action: { type: 'string' },
  subject: { type: 'string' },
  actor: { type: 'string' },
  client: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  before: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const { values, positionals } = parseArgs({
  args: joinOptionValues(process.argv.slice(2), OPTIONS),
  allowPositionals: true,
  options: OPTIONS,
});

const adminUrl =
  process.env.ADMIN_URL ??
  `http://${process.env.ADMIN_HOST ?? '127.0.0.1'}:${process.env.ADMIN_PORT ?? '3001'}`;

function adminToken(): string {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const file = resolve(process.env.DATA_DIR ?? '.data', 'secrets/admin-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    fail(`no ADMIN_TOKEN in the environment and none in ${file}`);
  }
}

function fail(message: string): never {
  console.error(`admin: ${message}`);
  process.exit(2);
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken()}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    fail(`cannot reach the admin API at ${adminUrl} (is the auth server running?)`);
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) fail(`${res.status} ${parsed?.error ?? ''}: ${parsed?.message ?? text}`);
  return parsed;
}

const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
const [group, command, arg] = positionals;

if (values.help || !group) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

switch (`${group} ${command ?? ''}`.trim()) {
  case 'clients create': {
    if (!values.name) fail('--name is required');
    const client = (await call('POST', '/admin/clients', {
      client_name: values.name,
      grant_types: values.grant,
      scope: values.scope,
      redirect_uris: values['redirect-uri'],
      token_endpoint_auth_method: values.public ? 'none' : undefined,
      first_party: values['first-party'] ?? false,
    })) as { client_id: string; client_secret?: string };
    if (values.format === 'env') {
      console.log(`CLIENT_ID='${client.client_id}'`);
      if (client.client_secret) console.log(`CLIENT_SECRET='${client.client_secret}'`);
    } else print(client);
    break;
  }
  case 'clients list':
    print(await call('GET', '/admin/clients'));
    break;
  case 'clients get':
    if (!arg) fail('a client_id is required');
    print(await call('GET', `/admin/clients/${encodeURIComponent(arg)}`));
    break;
  case 'clients delete':
    if (!arg) fail('a client_id is required');
    await call('DELETE', `/admin/clients/${encodeURIComponent(arg)}`);
    console.log(`deleted ${arg}`);
    break;
  case 'clients first-party':
    if (!arg) fail('a client_id is required');
    print(await call('PATCH', `/admin/clients/${encodeURIComponent(arg)}`, { first_party: !values.off }));
    break;
  case 'clients rotate-secret':
    if (!arg) fail('a client_id is required');
    print(
      await call('POST', `/admin/clients/${encodeURIComponent(arg)}/secret`, {
        revoke_tokens: values['revoke-tokens'] ?? false,
      }),
    );
    break;
  case 'initial-access-tokens create':
    print(
      await call(
        'POST',
        '/admin/initial-access-tokens',
        values['expires-in'] ? { expires_in: Number(values['expires-in']) } : {},
      ),
    );
    break;
  case 'users list': {
    const query = new URLSearchParams({ offset: values.offset ?? '0', limit: values.limit ?? '50' });
    print(await call('GET', `/admin/users?${query}`));
    break;
  }
  case 'users disable':
    if (!arg) fail('a user id is required');
    await call('POST', `/admin/users/${encodeURIComponent(arg)}/disable`);
    console.log(`disabled ${arg}`);
    break;
  case 'users delete':
    if (!arg) fail('a user id is required');
    await call('DELETE', `/admin/users/${encodeURIComponent(arg)}`);
    console.log(`deleted ${arg}`);
    break;
  case 'audit list': {
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
    print(await call('GET', `/admin/audit?${query}`));
    break;
  }
  case 'revocations replay':
    print(await call('POST', '/admin/revocations/replay'));
    break;
  case 'keys list':
    print(await call('GET', '/admin/keys'));
    break;
  case 'keys rotate':
    print(await call('POST', '/admin/keys/rotate', values.alg ? { alg: values.alg } : {}));
    break;
  case 'keys promote':
  case 'keys retire':
  case 'keys revoke':
    if (!arg) fail('a kid is required (see `keys list`)');
    print(await call('POST', `/admin/keys/${encodeURIComponent(arg)}/${command}`, {}));
    break;
  default:
    fail(`unknown command "${positionals.join(' ')}"\n${USAGE}`);
}
