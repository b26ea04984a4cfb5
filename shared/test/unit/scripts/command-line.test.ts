import { expect } from 'chai';
import {
  type CommandSpec,
  formatHelp,
  parseCommandLine,
  UsageError,
  usageLine,
} from '../../../../scripts/lib/command-line.ts';

const FLEET = {
  name: 'fleet',
  run: 'npm run fleet --',
  summary: 'starts N auth servers and N vector APIs behind HAProxy',
  options: {
    auth: { type: 'string', value: 'N', default: '2', whole: { min: 1, max: 8 }, help: 'auth servers' },
    'peak-seconds': { type: 'string', value: 'N', default: '20', whole: { min: 5 }, help: 'seconds of peak' },
    only: { type: 'string', value: '<names>', multiple: true, help: 'scenarios to run' },
    public: { type: 'boolean', help: 'a public client' },
  },
  examples: ['npm run fleet -- --auth 3'],
} as const satisfies CommandSpec;

const GET = { ...FLEET, name: 'admin', run: 'npm run admin -- clients get', args: '<client_id>' };

/** The one line a mistake gives (parseCommandLine must refuse `args`). */
function mistake(command: CommandSpec, args: string[]): string {
  try {
    parseCommandLine(command, args);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return usageLine(command, (err as Error).message);
  }
  return expect.fail(`${args.join(' ')} was accepted`);
}

describe('command lines (npm run bench, soak, fleet, import, rotate-master-key, admin, npm start)', () => {
  it('gives the defaults and the values given, whole numbers checked', () => {
    expect(parseCommandLine(FLEET, [])?.values).to.deep.equal({ auth: '2', 'peak-seconds': '20' });
    const parsed = parseCommandLine(FLEET, [
      '--auth',
      '3',
      '--peak-seconds=60',
      '--only',
      'a',
      '--only=b',
      '--public',
    ]);
    expect(parsed?.values).to.deep.equal({
      auth: '3',
      'peak-seconds': '60',
      only: ['a', 'b'],
      public: true,
    });
    expect(parseCommandLine(GET, ['abc'])?.positionals).to.deep.equal(['abc']);
  });

  it('answers --help (or -h) anywhere with null, whatever else is wrong', () => {
    expect(parseCommandLine(FLEET, ['--help'])).to.equal(null);
    expect(parseCommandLine(FLEET, ['--nope', '-h'])).to.equal(null);
  });

  it('says each mistake in one exact line that points at --help', () => {
    expect(mistake(FLEET, ['--nope'])).to.equal(
      'fleet: unknown option --nope (see `npm run fleet -- --help`)',
    );
    expect(mistake(FLEET, ['-x'])).to.equal('fleet: unknown option -x (see `npm run fleet -- --help`)');
    expect(mistake(FLEET, ['--auth'])).to.equal(
      'fleet: --auth needs a value (see `npm run fleet -- --help`)',
    );
    expect(mistake(FLEET, ['--public=yes'])).to.equal(
      'fleet: --public takes no value (see `npm run fleet -- --help`)',
    );
    expect(mistake(FLEET, ['--auth', '9'])).to.equal(
      "fleet: --auth must be a whole number from 1 to 8, got '9' (see `npm run fleet -- --help`)",
    );
    expect(mistake(FLEET, ['--peak-seconds', '2.5'])).to.equal(
      "fleet: --peak-seconds must be a whole number of at least 5, got '2.5' (see `npm run fleet -- --help`)",
    );
    expect(mistake(FLEET, ['extra'])).to.equal(
      "fleet: unexpected argument 'extra' (see `npm run fleet -- --help`)",
    );
    expect(mistake(GET, ['a', 'b'])).to.equal(
      "admin: unexpected argument 'b' (see `npm run admin -- clients get --help`)",
    );
  });

  it('prints a help: usage line, what it does, each option with its default and range, an example', () => {
    expect(formatHelp(GET)).to.equal(
      [
        'usage: npm run admin -- clients get <client_id> [options]',
        '',
        'Starts N auth servers and N vector APIs behind HAProxy.',
        '',
        'options:',
        '  --auth N           auth servers (default: 2; 1 to 8)',
        '  --peak-seconds N   seconds of peak (default: 20; at least 5)',
        '  --only <names>     scenarios to run (may be repeated)',
        '  --public           a public client',
        '  -h, --help         show this help',
        '',
        'example:',
        '  npm run fleet -- --auth 3',
      ].join('\n'),
    );
  });
});
