import { DriverException } from '@mikro-orm/core';
import { expect } from 'chai';
import { isDatabaseUnavailable } from '../../../src/db/database-unavailable.ts';
import { DB_CONNECTION_LOST } from '../../../src/db/label-connection-errors.ts';
import { DatabaseUnavailableError } from '../../../src/errors/errors.ts';
import { toAppError } from '../../../src/http/to-app-error.ts';

const withCode = (code: string, message = 'whatever the driver says') =>
  Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable: by error codes, never by message', () => {
  it('recognises socket failures, SQLSTATE class 08, shutdowns, timeouts and our connection-lost label', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'ENOTFOUND',
      '08006',
      '08001',
      '57P01',
      '57P03',
      '53300',
      '57014',
      '55P03',
      DB_CONNECTION_LOST,
    ]) {
      expect(isDatabaseUnavailable(withCode(code)), code).to.equal(true);
    }
  });

  it('follows wrappers: MikroORM exceptions and `cause` chains', () => {
    expect(isDatabaseUnavailable(new DriverException(withCode('57P01')))).to.equal(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).to.equal(true);
  });

  it('leaves statement errors and bugs alone, whatever their message says', () => {
    for (const err of [
      withCode('23505', 'connection terminated: duplicate key'), // unique violation
      withCode('22P02', 'timeout'), // invalid text representation
      withCode('42P01'), // undefined table
      new Error('Connection terminated unexpectedly'), // not labelled by the pool: not ours to guess
      new TypeError('Do not know how to serialize a BigInt'),
      new DriverException(new Error('timeout exceeded')),
      undefined,
      'ECONNREFUSED',
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).to.equal(false);
    }
  });

  it('is what toAppError answers 503 for, with Retry-After; other errors stay 500', () => {
    const unavailable = toAppError(withCode('55P03'));
    expect(unavailable).to.be.instanceOf(DatabaseUnavailableError);
    expect(unavailable.status).to.equal(503);
    expect(unavailable.headers).to.deep.equal({ 'Retry-After': '1' });
    expect(unavailable.code).to.equal('service_unavailable');
    expect(toAppError(withCode('23505')).status).to.equal(500);
  });
});
