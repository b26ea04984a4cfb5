import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createLogger } from '@vectorauth/shared';
import { expect } from 'chai';
import { createAuditLog } from '../../../src/audit/audit-log.ts';

/** An ORM whose every query gets `answer` (a rejection when it is an Error). */
function fakeOrm(answer: unknown, seen: unknown[][] = []): MikroORM {
  const connection = {
    execute: async (_sql: string, params: unknown[]) => {
      seen.push(params);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { em: { getConnection: () => connection } } as unknown as MikroORM;
}

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'info', destination }) };
}

const event = {
  action: 'user.sign_in' as const,
  outcome: 'failure' as const,
  actor: { type: 'anonymous' as const },
  subject: { type: 'user' as const, id: 'u1' },
  request: { ip: '127.0.0.1', requestId: 'r1', userAgent: 'ua', clientId: 'c1' },
  detail: { email: 'a@example.com', reason: 'invalid', password: 'hunter2-correct-horse' },
};

describe('audit log', () => {
  it('stores the sanitised event and logs it once (warn for a failure)', async () => {
    const seen: unknown[][] = [];
    const { lines, logger } = capturedLogger();
    await createAuditLog({ orm: fakeOrm([{ id: '7' }], seen), logger }).record(event);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.deep.equal([
      'user.sign_in',
      'failure',
      'anonymous',
      null,
      'user',
      'u1',
      'c1',
      '127.0.0.1',
      'r1',
      'ua',
      JSON.stringify({ email: 'a@example.com', reason: 'invalid' }),
    ]);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 40, msg: 'audit user.sign_in' });
    expect(lines[0]!.audit).to.include({ id: '7', action: 'user.sign_in', request_id: 'r1' });
    expect(JSON.stringify(lines)).to.not.contain('hunter2');
  });

  it('never fails the caller when Postgres refuses: the whole event goes to the log instead', async () => {
    const { lines, logger } = capturedLogger();
    const audit = createAuditLog({ orm: fakeOrm(new Error('connection terminated')), logger });
    await audit.record(event);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 50, msg: 'audit user.sign_in: not stored in Postgres' });
    expect(lines[0]!.audit).to.deep.include({ action: 'user.sign_in', subject_id: 'u1', ip: '127.0.0.1' });
  });
});
