import { expect } from 'chai';
import { z } from 'zod';
import { masterKeys, port, postgresUrl } from '../../../src/config/env-schemas.ts';
import { loadConfig, redactConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors/errors.ts';

const schema = z.object({
  PORT: port(3000),
  DATABASE_URL: postgresUrl(),
  MASTER_KEY: masterKeys(),
});

describe('loadConfig', () => {
  it('applies defaults, coerces, and freezes', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://h/db', MASTER_KEY: key });
    expect(config.PORT).to.equal(3000);
    expect(config.MASTER_KEY).to.deep.equal([key]);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.MASTER_KEY)).to.equal(true);
  });

  it('lists every bad key at once', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues).to.contain('PORT').and.contain('DATABASE_URL').and.contain('MASTER_KEY');
    }
  });

  it('never repeats a secret value in its messages', () => {
    const secret = 'c2hvcnQtYnV0LXNlY3JldA==';
    try {
      loadConfig(schema, { DATABASE_URL: 'postgres://h/db', MASTER_KEY: secret }, ['MASTER_KEY']);
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message)
        .to.contain('MASTER_KEY')
        .and.not.contain(secret);
    }
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig(schema, {
      PORT: '',
      DATABASE_URL: 'postgres://h/db',
      MASTER_KEY: Buffer.alloc(32).toString('base64'),
    });
    expect(config.PORT).to.equal(3000);
  });

  it('redacts secrets for display', () => {
    expect(redactConfig({ A: 1, ADMIN_TOKEN: 'x' }, ['ADMIN_TOKEN'])).to.deep.equal({
      A: 1,
      ADMIN_TOKEN: '[redacted]',
    });
  });
});
