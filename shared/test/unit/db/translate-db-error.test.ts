import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { expect } from 'chai';
import { translateDbError, withDbErrors } from '../../../src/db/translate-db-error.ts';
import { ConflictError, DatabaseUnavailableError } from '../../../src/errors/errors.ts';
import { toAppError } from '../../../src/http/to-app-error.ts';

const withCode = (code: string) => Object.assign(new Error('whatever the driver says'), { code });

describe('translateDbError: the one database translation of both services', () => {
  it('makes an outage a 503 service_unavailable for Postgres, the driver error kept as cause', () => {
    const refused = withCode('ECONNREFUSED');
    const translated = translateDbError(refused);
    expect(translated).to.be.instanceOf(DatabaseUnavailableError);
    const err = translated as DatabaseUnavailableError;
    expect([err.status, err.code, err.dependency]).to.deep.equal([503, 'service_unavailable', 'postgres']);
    expect(err.message).to.equal('the database is unavailable; retry shortly');
    expect(err.cause).to.equal(refused);
    expect(toAppError(refused)).to.deep.include({ status: 503, code: 'service_unavailable' });
  });

  it('leaves our own errors, constraint violations and bugs as they are', () => {
    const conflict = new ConflictError('already there');
    const unique = new UniqueConstraintViolationException(withCode('23505'));
    const bug = new TypeError('x is undefined');
    for (const err of [conflict, unique, bug]) expect(translateDbError(err)).to.equal(err);
  });

  it('withDbErrors throws the translation, and a repository still sees its constraint violation', async () => {
    let outage: unknown;
    await withDbErrors(() => Promise.reject(withCode('57P01'))).catch((err: unknown) => {
      outage = err;
    });
    expect(outage).to.be.instanceOf(DatabaseUnavailableError);
    const unique = new UniqueConstraintViolationException(withCode('23505'));
    let violation: unknown;
    await withDbErrors(() => Promise.reject(unique)).catch((err: unknown) => {
      violation = err;
    });
    expect(violation).to.equal(unique);
    expect(await withDbErrors(async () => 42)).to.equal(42);
  });
});
