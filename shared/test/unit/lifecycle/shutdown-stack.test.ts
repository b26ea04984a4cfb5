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
});
