import { expect } from 'chai';
import { runAdminCli } from '../../support/admin-cli.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('operator CLI: clients, initial access tokens, users', () => {
  const stack = useAuthStack();

  const cli = (...args: string[]) =>
    runAdminCli({ ADMIN_URL: stack.server.adminUrl, ADMIN_TOKEN: stack.server.config.admin.token }, args);

  it('creates a client for eval, marks it first-party, rotates its secret and deletes it', async () => {
    const created = await cli(
      'clients',
      'create',
      '--name',
      'cli app',
      '--grant',
      'client_credentials',
      '--scope',
      'vectors:read',
      '--format',
      'env',
    );
    expect(created.code, created.stderr).to.equal(0);
    const id = /^CLIENT_ID='([^']+)'$/m.exec(created.stdout)?.[1];
    const secret = /^CLIENT_SECRET='([^']+)'$/m.exec(created.stdout)?.[1];
    expect(id).to.be.a('string');
    expect(
      (await stack.server.clientCredentialsToken({ client_id: id!, client_secret: secret! })).status,
    ).to.equal(200);

    const marked = await cli('clients', 'first-party', id!);
    expect(JSON.parse(marked.stdout).first_party).to.equal(true);
    const unmarked = await cli('clients', 'first-party', id!, '--off');
    expect(JSON.parse(unmarked.stdout).first_party).to.equal(false);

    const rotated = await cli('clients', 'rotate-secret', id!, '--revoke-tokens');
    const fresh = JSON.parse(rotated.stdout).client_secret as string;
    expect(fresh).to.be.a('string').and.not.equal(secret);
    expect(
      (await stack.server.clientCredentialsToken({ client_id: id!, client_secret: secret! })).status,
    ).to.equal(401);
    expect(
      (await stack.server.clientCredentialsToken({ client_id: id!, client_secret: fresh })).status,
    ).to.equal(200);

    expect((await cli('clients', 'delete', id!)).code).to.equal(0);
    const again = await cli('clients', 'get', id!);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain('404');
  });

  it('makes initial access tokens that register clients', async () => {
    const made = await cli('initial-access-tokens', 'create', '--expires-in', '600');
    const { initial_access_token, expires_in } = JSON.parse(made.stdout) as {
      initial_access_token: string;
      expires_in: number;
    };
    expect(expires_in).to.equal(600);
    const reg = await fetch(`${stack.server.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${initial_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'dcr', grant_types: ['client_credentials'] }),
    });
    expect(reg.status).to.equal(201);
  });

  it('lists users and explains errors plainly', async () => {
    const listed = await cli('users', 'list', '--limit', '5', '--format', 'json');
    expect(JSON.parse(listed.stdout)).to.include.keys('users', 'total');
    const missing = await cli('users', 'disable', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.equal('admin: 404 not_found: no such user\n');
    const unknown = await cli('frobnicate');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.equal('admin: unknown command "frobnicate" (see `npm run admin -- --help`)\n');
  });

  it('prints lists as tables for people, and the JSON it always printed with --format json', async () => {
    const created = await cli('clients', 'create', '--name', 'table app', '--grant', 'client_credentials');
    const { client_id } = JSON.parse(created.stdout) as { client_id: string };
    const json = await cli('clients', 'list', '--format', 'json');
    expect(json.code, json.stderr).to.equal(0);
    // The admin API's answer as it is, indented as it always was (machines read it).
    const answer = JSON.parse(json.stdout) as { clients: { client_id: string }[] };
    expect(json.stdout).to.equal(`${JSON.stringify(answer, null, 2)}\n`);
    expect(answer.clients.map((c) => c.client_id)).to.include(client_id);

    const table = await cli('clients', 'list');
    expect(table.code, table.stderr).to.equal(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^client id +name +type +first party +grants +scope +created \(UTC\)$/);
    expect(lines[1]).to.match(/^-+( {3}-+){6}$/);
    expect(lines.find((l) => l.startsWith(`${client_id} `))).to.match(
      /^\S+ +table app +confidential +no +client_credentials +- +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    expect((await cli('clients', 'delete', client_id)).stdout).to.equal(`deleted ${client_id}\n`);
  });

  it('refuses a mistyped command line in one line that points at --help (exit 2)', async () => {
    const cases: [string[], string][] = [
      [
        ['clients', 'list', '--limit', '5'],
        'admin: unknown option --limit (see `npm run admin -- clients list --help`)',
      ],
      [
        ['clients', 'list', '--format', 'yaml'],
        "admin: --format must be table or json, got 'yaml' (see `npm run admin -- clients list --help`)",
      ],
      [
        ['clients', 'frob'],
        'admin: unknown command "clients frob"; clients has create, list, get, delete, first-party, rotate-secret (see `npm run admin -- clients --help`)',
      ],
      [
        ['keys', 'revoke'],
        'admin: a kid is required (one from `npm run admin -- keys list`) (see `npm run admin -- keys revoke --help`)',
      ],
    ];
    for (const [args, line] of cases) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stdout, args.join(' ')).to.equal('');
      expect(run.stderr, args.join(' ')).to.equal(`${line}\n`);
    }
  });
});
