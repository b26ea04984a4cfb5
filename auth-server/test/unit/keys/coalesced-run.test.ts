import { expect } from 'chai';
import { createCoalescedRun } from '../../../src/keys/coalesced-run.ts';

/** A task whose passes finish when the test says so. */
function gatedTask() {
  const gates: (() => void)[] = [];
  let passes = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      passes += 1;
      gates.push(resolve);
    });
  const release = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { task, release, passes: () => passes };
}

describe('a task run once at a time (key sync reconcile)', () => {
  it('runs one pass when nothing else asks', async () => {
    const { task, release, passes } = gatedTask();
    const run = createCoalescedRun(task, () => false);
    const done = run.run();
    expect(run.running()).to.equal(done);
    await release();
    await done;
    expect(passes()).to.equal(1);
    expect(run.running()).to.equal(undefined);
  });

  it('folds every request made during a pass into one more pass, and settles after it', async () => {
    const { task, release, passes } = gatedTask();
    const run = createCoalescedRun(task, () => false);
    const first = run.run();
    const second = run.run();
    const third = run.run();
    expect(second).to.equal(first);
    expect(third).to.equal(first);
    await release();
    expect(passes()).to.equal(2);
    await release();
    await first;
    expect(passes()).to.equal(2);
  });

  it('runs no further pass once stopped', async () => {
    const { task, release, passes } = gatedTask();
    let stopped = false;
    const run = createCoalescedRun(task, () => stopped);
    const done = run.run();
    run.run();
    stopped = true;
    await release();
    await done;
    expect(passes()).to.equal(1);
  });

  it('lets the next request start afresh after a failed pass', async () => {
    let fail = true;
    const run = createCoalescedRun(
      async () => {
        if (fail) throw new Error('boom');
      },
      () => false,
    );
    await run.run().then(
      () => expect.fail('the failed pass rejects'),
      (err: Error) => expect(err.message).to.equal('boom'),
    );
    expect(run.running()).to.equal(undefined);
    fail = false;
    await run.run();
  });
});
