import { expect } from 'chai';
import { createInterruptiblePause } from '../../../src/events/interruptible-pause.ts';

describe('interruptible pause', () => {
  it('ends a long pause at once when woken (a closing consumer does not wait out its retry delay)', async () => {
    const pause = createInterruptiblePause();
    let ended = false;
    const sleeping = pause.sleep(3_600_000).then(() => {
      ended = true;
    });
    await Promise.resolve();
    expect(ended).to.equal(false);
    pause.wake();
    await sleeping;
    expect(ended).to.equal(true);
  });

  it('ignores a wake with no pause in progress', async () => {
    const pause = createInterruptiblePause();
    pause.wake();
    await pause.sleep(0);
  });
});
