import { expect } from 'chai';
import { bounded, sanitiseDetail } from '../../../src/audit/audit-detail.ts';

describe('audit detail sanitiser', () => {
  it('drops every key that names a secret, at any depth', () => {
    const detail = sanitiseDetail({
      email: 'a@example.com',
      password: 'p',
      newPassword: 'p',
      client_secret: 's',
      refresh_token: 't',
      Authorization: 'Bearer x',
      code_verifier: 'v',
      cookie: 'c',
      nested: { token: 't', reason: 'invalid', deeper: { secretKey: 's', kept: 1 } },
    });
    expect(detail).to.deep.equal({
      email: 'a@example.com',
      nested: { reason: 'invalid', deeper: { kept: 1 } },
    });
  });

  it('redacts JWT-shaped values under innocent keys', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(sanitiseDetail({ note: jwt, list: [jwt] })).to.deep.equal({
      note: '[redacted]',
      list: ['[redacted]'],
    });
  });

  it('bounds strings, entries and depth', () => {
    const detail = sanitiseDetail({
      long: 'x'.repeat(1000),
      many: Array.from({ length: 100 }, (_, i) => i),
      a: { b: { c: { d: 'too deep' } } },
      when: new Date(0),
      fn: () => 1,
      nan: Number.NaN,
    });
    expect((detail.long as string).length).to.equal(256);
    expect(detail.many).to.have.length(20);
    expect(detail.a).to.deep.equal({ b: { c: {} } });
    expect(detail.when).to.equal('1970-01-01T00:00:00.000Z');
    expect(detail).to.not.have.property('fn');
    expect(detail.nan).to.equal(null);
    expect(
      Object.keys(sanitiseDetail(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])))),
    ).to.have.length(20);
  });

  it('turns empty values into null and cuts long ones', () => {
    expect(bounded(undefined)).to.equal(null);
    expect(bounded('')).to.equal(null);
    expect(bounded('abcdef', 4)).to.equal('abc…');
  });
});
