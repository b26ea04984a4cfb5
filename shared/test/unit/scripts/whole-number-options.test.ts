import { expect } from 'chai';
import { parseWholeNumberOptions } from '../../../../scripts/lib/whole-number-options.ts';

describe('parseWholeNumberOptions (npm run fleet, npm run soak)', () => {
  const spec = { auth: { default: 2, min: 1, max: 8 }, 'peak-seconds': { default: 20, min: 5, max: 600 } };

  it('gives the defaults, and the numbers given, as numbers', () => {
    expect(parseWholeNumberOptions(spec, 'usage', [])).to.deep.equal({ auth: 2, 'peak-seconds': 20 });
    expect(parseWholeNumberOptions(spec, 'usage', ['--auth', '3', '--peak-seconds=60'])).to.deep.equal({
      auth: 3,
      'peak-seconds': 60,
    });
  });
});
