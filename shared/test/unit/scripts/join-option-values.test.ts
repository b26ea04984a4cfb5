import { parseArgs } from 'node:util';
import { expect } from 'chai';
import { joinOptionValues } from '../../../../scripts/lib/join-option-values.ts';

describe('admin CLI arguments: ids that start with a dash', () => {
  const options = {
    subject: { type: 'string' },
    limit: { type: 'string' },
    public: { type: 'boolean' },
  } as const;

  it('takes `--subject -Ab3` as the value -Ab3, leaving flags and positionals alone', () => {
    const args = joinOptionValues(
      ['audit', 'list', '--subject', '-Ab3', '--public', '--limit', '5'],
      options,
    );
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
    expect(values).to.deep.equal({ subject: '-Ab3', public: true, limit: '5' });
    expect(positionals).to.deep.equal(['audit', 'list']);
  });

  it('leaves `--name=value` and a trailing option as they are', () => {
    expect(joinOptionValues(['--subject=-x', '--limit'], options)).to.deep.equal(['--subject=-x', '--limit']);
  });

  it('takes an id that starts with a dash as a positional (keys promote -Ab3), in its place', () => {
    for (const id of ['-Ab3', '-O_x-y', '--Xy3']) {
      const args = joinOptionValues(['keys', 'promote', id, '--limit', '5'], options);
      const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
      expect(positionals, id).to.deep.equal(['keys', 'promote', id]);
      expect(values, id).to.deep.equal({ limit: '5' });
    }
  });

  it('still refuses a mistyped long option, and keeps what follows a given --', () => {
    expect(() =>
      parseArgs({
        args: joinOptionValues(['keys', 'list', '--lmit', '5'], options),
        options,
        allowPositionals: true,
      }),
    ).to.throw(/Unknown option/);
    const { positionals } = parseArgs({
      args: joinOptionValues(['keys', 'promote', '--', '-h'], options),
      options,
      allowPositionals: true,
    });
    expect(positionals).to.deep.equal(['keys', 'promote', '-h']);
  });
});
