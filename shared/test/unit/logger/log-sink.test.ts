import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkExpectation, checkLogSink, declareExpected } from '../../../../scripts/lib/log-sink-check.ts';
import { createLogger } from '../../../src/index.ts';

describe('the test log sink: warn and error lines nobody expected fail the run', () => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'log-sink-'));

  it('receives every warn+ line of a silent logger, and nothing below warn', () => {
    const dir = fresh();
    const logger = createLogger({ name: 'svc', level: 'silent', sinkDir: dir });
    logger.info('routine');
    logger.warn('something odd');
    logger.error({ err: new Error('boom') }, 'something broke');
    expect(readdirSync(dir)).to.deep.equal([`${process.pid}.log`]);
    const { unexpected } = checkLogSink(dir);
    expect(unexpected.map((l) => [l.service, l.level, l.msg])).to.deep.equal([
      ['svc', 40, 'something odd'],
      ['svc', 50, 'something broke'],
    ]);
  });

  it('accepts a declared line only inside its window, with its service and level', () => {
    const dir = fresh();
    const logger = createLogger({ name: 'svc', level: 'silent', sinkDir: dir });
    logger.warn('before the window');
    const from = Date.now() + 5;
    while (Date.now() < from); // the window opens strictly after the first line
    logger.warn('redis unavailable: connection refused');
    logger.error('redis unavailable: connection refused');
    logger.warn('other');
    declareExpected(dir, 'outage test', from, Date.now(), [
      { service: 'svc', level: 'warn', msg: /^redis unavailable/ },
      { service: 'svc', level: 'warn', msg: 'other' },
      { service: 'svc', level: 'error', msg: 'never logged' },
      { service: 'svc', level: 'warn', msg: 'maybe logged', optional: true },
    ]);
    const { unexpected, unmet } = checkLogSink(dir);
    expect(unexpected.map((l) => `${l.level} ${l.msg}`)).to.deep.equal([
      '40 before the window',
      '50 redis unavailable: connection refused',
    ]);
    expect(unmet).to.deep.equal(['outage test: svc error "never logged"']);
  });

  it('refuses expectations that would wave everything through', () => {
    for (const msg of ['', /.*/, /^a/, /redis unavailable/, /^(redis|x)/]) {
      expect(() => checkExpectation({ service: 'svc', level: 'warn', msg }), String(msg)).to.throw();
    }
    expect(() => checkExpectation({ service: '', level: 'warn', msg: 'x' })).to.throw();
    expect(() => checkExpectation({ service: 'svc', level: 'info' as 'warn', msg: 'x' })).to.throw();
    expect(() =>
      checkExpectation({ service: 'svc', level: 'warn', msg: /^redis unavailable/ }),
    ).not.to.throw();
  });
});
