import { expect } from 'chai';
import { createShutdownStack } from '../../../src/lifecycle/shutdown-stack.ts';

describe('shutdown stack (what a start has started, closed in reverse)', () => {
  it('closes last-started first, once however often it is asked', async () => {
    const closed: string[] = [];
    const stack = createShutdownStack();
    const first = stack.push({ name: 'orm' }, (s) => closed.push(s.name));
    expect(first).to.deep.equal({ name: 'orm' });
    stack.push('redis', async (s) => {
      closed.push(s);
    });
    stack.push('server', (s) => closed.push(s));
    await Promise.all([stack.close(), stack.close()]);
    await stack.close();
    expect(closed).to.deep.equal(['server', 'redis', 'orm']);
  });

  it('tries every closer and rethrows the first failure after the rest ran', async () => {
    const closed: string[] = [];
    const stack = createShutdownStack();
    stack.push('orm', (s) => closed.push(s));
    stack.push('redis', () => {
      throw new Error('redis close failed');
    });
    stack.push('server', () => Promise.reject(new Error('server close failed')));
    let failure: unknown;
    await stack.close().catch((err: unknown) => {
      failure = err;
    });
    expect((failure as Error).message).to.equal('server close failed');
    expect(closed).to.deep.equal(['orm']);
  });

  it('names a step still closing after slowAfterMs, and only that one', async () => {
    const slow: string[] = [];
    let release: () => void = () => undefined;
    const stack = createShutdownStack({
      slowAfterMs: 5,
      // The hanging step ends only once it has been reported: no race with the clock.
      onSlow: (step) => {
        slow.push(step);
        release();
      },
    });
    stack.push('orm', () => undefined, 'database pool');
    stack.push('worker', () => new Promise<void>((resolve) => (release = resolve)), 'index worker');
    await stack.close();
    expect(slow).to.deep.equal(['index worker']);
  });
});
