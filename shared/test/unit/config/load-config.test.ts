import { expect } from 'chai';
import { z } from 'zod';
import { masterKeys, port, postgresUrl, wholeNumber } from '../../../src/config/env-schemas.ts';
import { loadConfig, redactConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors/errors.ts';

const schema = z.object({
  PORT: port(3000),
  DATABASE_URL: postgresUrl(),
  MASTER_KEY: masterKeys(),
});

/** The lines `loadConfig` reports for `env` (it must refuse it). */
function problems(s: z.ZodType, env: Record<string, string>, secrets: string[] = []): string[] {
  try {
    loadConfig(s, env, secrets);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  return expect.fail('the configuration was accepted');
}

describe('loadConfig', () => {
  it('applies defaults, coerces, and freezes', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://h/db', MASTER_KEY: key });
    expect(config.PORT).to.equal(3000);
    expect(config.MASTER_KEY).to.deep.equal([key]);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.MASTER_KEY)).to.equal(true);
  });

  it('lists every bad key at once, one sentence each: what is wrong, the value given, how to fix it', () => {
    expect(problems(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x' })).to.deep.equal([
      "PORT must be a port number (0-65535; 0 picks a free one), got 'eighty'",
      "DATABASE_URL must be a postgres:// URL (postgres://user:password@host:5432/database), got 'mysql://x'",
      'MASTER_KEY is required',
    ]);
  });

  it('says it as a header and one line per problem, never a zod message', () => {
    try {
      loadConfig(schema, { PORT: '-1', MASTER_KEY: 'short' }, ['MASTER_KEY']);
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message).to.equal(
        [
          'invalid configuration; fix these environment variables:',
          "  - PORT must be a port number (0-65535; 0 picks a free one), got '-1'",
          '  - DATABASE_URL is required: a postgres:// URL (postgres://user:password@host:5432/database)',
          '  - MASTER_KEY must be one or more comma-separated base64 keys of 32 bytes each (generate one with: openssl rand -base64 32)',
        ].join('\n'),
      );
    }
  });

  it("words zod's own issues plainly: required, number, whole number, range, one of", () => {
    const plain = z.object({
      NAME: z.string(),
      RATIO: z.coerce.number().positive(),
      COUNT: z.coerce.number().int().max(10),
      DAYS: z.coerce.number().min(1),
      MODE: z.enum(['on', 'off']),
      LEVEL: z.enum(['low', 'mid', 'high']),
      SIZE: wholeNumber(1, 64),
      EVERY: wholeNumber(0),
    });
    expect(
      problems(plain, {
        RATIO: 'half',
        COUNT: '2.5',
        DAYS: '0',
        MODE: 'maybe',
        LEVEL: 'max',
        SIZE: '65',
        EVERY: '-3',
      }),
    ).to.deep.equal([
      'NAME is required',
      "RATIO must be a number, got 'half'",
      "COUNT must be a whole number, got '2.5'",
      "DAYS must be at least 1, got '0'",
      "MODE must be on or off, got 'maybe'",
      "LEVEL must be low, mid or high, got 'max'",
      "SIZE must be a whole number from 1 to 64, got '65'",
      "EVERY must be a whole number of at least 0, got '-3'",
    ]);
    expect(problems(plain.pick({ RATIO: true }), { RATIO: '0' })).to.deep.equal([
      "RATIO must be greater than 0, got '0'",
    ]);
    expect(problems(plain.pick({ COUNT: true }), { COUNT: '11' })).to.deep.equal([
      "COUNT must be at most 10, got '11'",
    ]);
  });

  it('never repeats a secret value, and hides the password of a URL it repeats', () => {
    const secret = 'c2hvcnQtYnV0LXNlY3JldA==';
    const lines = problems(schema, { DATABASE_URL: 'mysql://app:hunter2@db/x', MASTER_KEY: secret }, [
      'MASTER_KEY',
    ]);
    expect(lines).to.deep.equal([
      "DATABASE_URL must be a postgres:// URL (postgres://user:password@host:5432/database), got 'mysql://app:redacted@db/x'",
      'MASTER_KEY must be one or more comma-separated base64 keys of 32 bytes each (generate one with: openssl rand -base64 32)',
    ]);
    // Something with an `@` that is not a readable URL may hold a password: it is not repeated.
    expect(problems(schema, { DATABASE_URL: 'postgres//app:hunter2@db/x', MASTER_KEY: secret })[0]).to.equal(
      'DATABASE_URL must be a postgres:// URL (postgres://user:password@host:5432/database)',
    );
  });

  it("does not quote the value again when the schema's message already does", () => {
    const colour = z.object({
      COLOR: z
        .string()
        .refine((v) => v.startsWith('#'), { error: (i) => `must be #rrggbb, got '${i.input}'` }),
    });
    expect(problems(colour, { COLOR: 'red' })).to.deep.equal(["COLOR must be #rrggbb, got 'red'"]);
  });

  it('names a key once, with its first problem, when two checks refuse it', () => {
    const twice = z.object({ ISSUER: z.string().url({ message: 'must be an absolute URL' }) });
    const production = z.object({ ISSUER: z.string().startsWith('https:', 'must be https in production') });
    try {
      loadConfig(twice, { ISSUER: 'notaurl' }, [], production);
      expect.fail('should throw');
    } catch (err) {
      expect((err as ConfigError).issues).to.deep.equal(["ISSUER must be an absolute URL, got 'notaurl'"]);
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
