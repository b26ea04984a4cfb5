import { expect } from 'chai';
import { z } from 'zod';
import { databaseTimeoutEnv, databaseTimeouts, pgTimeoutOptions } from '../../../src/db/database-timeouts.ts';

describe('database timeouts (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS)', () => {
  const schema = z.object(databaseTimeoutEnv());

  it('defaults to a few seconds and becomes pg connection options', () => {
    const timeouts = databaseTimeouts(schema.parse({}));
    expect(timeouts).to.deep.equal({ statementTimeoutMs: 5000, lockTimeoutMs: 2000, connectTimeoutMs: 2000 });
    expect(pgTimeoutOptions(timeouts)).to.include({
      statement_timeout: 5000,
      lock_timeout: 2000,
      connectionTimeoutMillis: 2000,
      query_timeout: 7000,
    });
  });

  it('takes the operator’s values and refuses nonsense', () => {
    expect(databaseTimeouts(schema.parse({ DB_LOCK_TIMEOUT_MS: '500' })).lockTimeoutMs).to.equal(500);
    for (const bad of ['0', '-1', 'soon', '99', '1e9']) {
      expect(schema.safeParse({ DB_STATEMENT_TIMEOUT_MS: bad }).success, bad).to.equal(false);
    }
  });
});
