import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { ADMIN_COMMANDS } from '../../../../scripts/admin/admin-commands.ts';
import { BENCH_COMMAND } from '../../../../scripts/bench/bench-command.ts';
import { SCENARIOS } from '../../../../scripts/bench/scenario-selection.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** `node <script> [args]` as `npm run -s <script> -- [args]` runs it (without the bootstrap). */
const run = (script: string, args: readonly string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [resolve(ROOT, script), ...args],
      // No ADMIN_URL: nothing here may reach an admin API.
      { env: { PATH: process.env.PATH ?? '', ADMIN_URL: 'http://127.0.0.1:9' }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('command lines: --help for every command, one line for every mistake', function () {
  this.timeout(120_000);

  it('npm run bench -- --help: every option with its default, the scenario names; exit 0', async () => {
    const { code, stdout, stderr } = await run('scripts/bench.ts', ['--help']);
    expect(code, stderr).to.equal(0);
    expect(stderr).to.equal('');
    const lines = stdout.split('\n');
    expect(lines[0]).to.equal('usage: npm run bench -- [options]');
    for (const [name, option] of Object.entries(BENCH_COMMAND.options)) {
      const line = lines.find((l) => l.startsWith(`  --${name} `));
      expect(line, name).to.be.a('string');
      if ('default' in option) expect(line, name).to.contain(`default: ${option.default}`);
    }
    for (const scenario of SCENARIOS) expect(stdout).to.contain(scenario);
    expect(stdout).to.contain('\nexamples:\n  npm run bench -- --only tokens,searches\n');
  });

  it('npm run bench: an unknown option, a bad number or scenario is one line and exit 2, never a stack', async () => {
    const cases: [string[], string][] = [
      [['--frobnicate'], 'bench: unknown option --frobnicate (see `npm run bench -- --help`)'],
      [
        ['--tokens', '0'],
        "bench: --tokens must be a whole number of at least 1, got '0' (see `npm run bench -- --help`)",
      ],
      [
        ['--only', 'tokens,nope'],
        `bench: --only: unknown scenario nope; known: ${SCENARIOS.join(', ')} (see \`npm run bench -- --help\`)`,
      ],
    ];
    for (const [args, line] of cases) {
      const { code, stdout, stderr } = await run('scripts/bench.ts', args);
      expect(code, args.join(' ')).to.equal(2);
      expect(stdout, args.join(' ')).to.equal('');
      expect(stderr, args.join(' ')).to.equal(`${line}\n`);
    }
  });

  for (const [script, run_] of [
    ['scripts/soak.ts', 'npm run soak --'],
    ['scripts/fleet.ts', 'npm run fleet --'],
    ['scripts/import.ts', 'npm run import --'],
    ['scripts/rotate-master-key.ts', 'npm run rotate-master-key --'],
    ['scripts/start.ts', 'npm start --'],
  ] as const) {
    it(`${run_} --help prints its usage (exit 0); an unknown option is one line (exit 2)`, async () => {
      const help = await run(script, ['--help']);
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stdout.split('\n')[0]).to.equal(`usage: ${run_} [options]`);
      expect(help.stdout).to.match(
        /\noptions:\n(?:.*\n)* {2}-h, --help +show this help\n\nexamples?:\n {2}\S/,
      );
      const wrong = await run(script, ['--frobnicate']);
      expect(wrong.code, wrong.stderr).to.equal(2);
      const name = run_.replace(/^npm run | --$/g, '');
      expect(wrong.stderr).to.equal(`${name}: unknown option --frobnicate (see \`${run_} --help\`)\n`);
    });
  }

  it('npm run admin -- --help lists every command with what it does', async () => {
    const { code, stdout } = await run('scripts/admin-cli.ts', ['--help']);
    expect(code).to.equal(0);
    expect(stdout.split('\n')[0]).to.equal('usage: npm run admin -- <command> [options]');
    for (const command of ADMIN_COMMANDS) {
      const line = `  ${command.words}${command.args ? ` ${command.args}` : ''}`;
      expect(stdout.split('\n').find((l) => l.startsWith(`${line} `))).to.contain(command.summary);
    }
    const group = await run('scripts/admin-cli.ts', ['keys', '--help']);
    expect(group.stdout).to.contain('  keys rotate ').and.not.contain('  clients list ');
  });

  it('every admin command has its own --help: usage, what it does, its options, an example', async () => {
    for (const command of ADMIN_COMMANDS) {
      const { code, stdout } = await run('scripts/admin-cli.ts', [...command.words.split(' '), '--help']);
      expect(code, command.words).to.equal(0);
      const lines = stdout.split('\n');
      expect(lines[0]).to.equal(
        `usage: npm run admin -- ${command.words}${command.args ? ` ${command.args}` : ''} [options]`,
      );
      for (const name of Object.keys(command.options)) {
        expect(
          lines.some((l) => l.startsWith(`  --${name}`)),
          `${command.words} --${name}`,
        ).to.equal(true);
      }
      expect(stdout).to.match(/\nexamples?:\n {2}npm run /);
    }
    const list = await run('scripts/admin-cli.ts', ['clients', 'list', '--help']);
    expect(list.stdout).to.contain(
      "  --format table|json   table for people, or json for machines: the admin API's answer as it is (default: table)\n",
    );
  });

  it('npm run admin: an unknown command or option is one line and exit 2', async () => {
    const cases: [string[], string][] = [
      [['frobnicate'], 'admin: unknown command "frobnicate" (see `npm run admin -- --help`)'],
      [
        ['--verbose'],
        'admin: unknown option --verbose; a command comes first (see `npm run admin -- --help`)',
      ],
      [
        ['users', 'list', '--verbose'],
        'admin: unknown option --verbose (see `npm run admin -- users list --help`)',
      ],
      [
        ['users'],
        'admin: users needs a command: list, disable, delete (see `npm run admin -- users --help`)',
      ],
    ];
    for (const [args, line] of cases) {
      const { code, stdout, stderr } = await run('scripts/admin-cli.ts', args);
      expect(code, args.join(' ')).to.equal(2);
      expect(stdout, args.join(' ')).to.equal('');
      expect(stderr, args.join(' ')).to.equal(`${line}\n`);
    }
  });
});
