import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { devSecret } from '../../../src/config/dev-secret.ts';
import { ConfigError } from '../../../src/errors/errors.ts';

describe('devSecret (development secrets under DATA_DIR)', () => {
  it('makes a secret once and gives the same one afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-secret-'));
    const made = devSecret(dir, 'master-key');
    expect(Buffer.from(made, 'base64')).to.have.length(32);
    expect(devSecret(dir, 'master-key')).to.equal(made);
    expect(readFileSync(join(dir, 'secrets/master-key'), 'utf8')).to.equal(`${made}\n`);
  });

  it('says a DATA_DIR it cannot write as one configuration line, never a stack', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dev-secret-')), 'a-file');
    writeFileSync(file, '');
    const dataDir = join(file, 'data');
    try {
      devSecret(dataDir, 'master-key');
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).issues).to.deep.equal([
        `DATA_DIR must be a directory this user can write (development secrets are kept in it; ENOTDIR), got '${dataDir}'`,
      ]);
    }
  });
});
