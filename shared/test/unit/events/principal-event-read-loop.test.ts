import { expect } from 'chai';
import { createPrincipalEventReadLoop } from '../../../src/events/principal-event-read-loop.ts';
import type { PrincipalEventStream } from '../../../src/events/principal-event-stream.ts';
import type { Logger } from '../../../src/logger/logger.ts';
import type { Redis } from '../../../src/redis/create-redis.ts';

/** Runs the loop over reads that fail with `failures` in turn, then stops; what it logged. */
async function logsFor(failures: string[]) {
  const lines: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: unknown, msg: string) => lines.push({ level, msg });
  const logger = {
    info: log('info'),
    warn: log('warn'),
    debug: log('debug'),
    error: log('error'),
  } as unknown as Logger;
  let reads = 0;
  const stream = {
    ensureGroup: async () => undefined,
    readOwnPending: async () => [],
    claimIdle: async () => [],
    forgetDeadConsumers: async () => undefined,
    readNew: async () => {
      const failure = failures[reads++];
      if (failure) throw new Error(failure);
      return [];
    },
  } as unknown as PrincipalEventStream;
  const loop = createPrincipalEventReadLoop({
    redis: { status: 'ready' } as Redis,
    stream,
    pause: { sleep: async () => undefined } as never,
    handleEntries: async () => true,
    logger,
    stopping: () => reads > failures.length,
    blockMs: 1000,
    claimIdleMs: 60_000_000,
    retryDelayMs: 0,
    forgetConsumersAfterMs: 60_000_000,
  });
  await loop.run();
  return lines.filter((l) => l.level !== 'debug');
}

describe('the principal events read loop', () => {
  it('takes one timed-out read (a stalled event loop) as info, and warns when they come in a row', async () => {
    expect(await logsFor(['Command timed out'])).to.deep.equal([
      { level: 'info', msg: 'principal events: a read timed out; retrying' },
    ]);
    expect(await logsFor(['Command timed out', 'Command timed out', 'Command timed out'])).to.deep.equal([
      { level: 'info', msg: 'principal events: a read timed out; retrying' },
      { level: 'warn', msg: 'principal events: cannot read; retrying' },
    ]);
  });

  it('warns once per distinct other error', async () => {
    expect(
      await logsFor(['Connection is closed.', 'Connection is closed.', 'NOGROUP no group']),
    ).to.deep.equal([
      { level: 'warn', msg: 'principal events: cannot read; retrying' },
      { level: 'warn', msg: 'principal events: cannot read; retrying' },
    ]);
  });
});
