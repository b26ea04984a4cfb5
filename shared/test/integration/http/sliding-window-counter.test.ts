import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import {
  SLIDING_WINDOW_LUA,
  type WindowCount,
  windowCountFrom,
} from '../../../src/http/sliding-window-counter.ts';
import { defineRedisScript, type RedisScript } from '../../../src/redis/redis-script.ts';

/**
 * The counter's arithmetic on a clock the test sets (the services pass Redis's `TIME`): the
 * previous window weighted by what is left of it, refused requests never counted, and `freesInMs`
 * the instant after which one more request is admitted.
 */
describe('sliding-window counter (real Redis, a clock of the test’s)', () => {
  const W = 60_000;
  const MAX = 4;
  let redis: Redis;
  let count: RedisScript;
  before(() => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    redis = new Redis(process.env.REDIS_URL);
    count = defineRedisScript(
      redis,
      'testSlidingWindow',
      `${SLIDING_WINDOW_LUA}\nreturn slidingWindow(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))`,
    );
  });
  after(() => redis.quit());

  // Times near the real clock, taken as each test starts (not when mocha loads the file, which can
  // be minutes earlier): the keys expire at the window's end plus one (PEXPIREAT).
  let base: number;
  beforeEach(() => {
    base = Date.now();
  });
  const at = async (key: string, offsetMs: number): Promise<WindowCount> =>
    windowCountFrom(await count([key], [MAX, W, base + offsetMs]));

  it('admits max in a window, then refuses until the window has passed, counting no refusal', async () => {
    const key = `test:sw:${randomUUID()}`;
    for (const [i, t] of [0, 6000, 12_000, 18_000].entries()) {
      expect(await at(key, t)).to.deep.equal({ admitted: true, count: i + 1, freesInMs: W - t });
    }
    expect(await at(key, 24_000)).to.deep.equal({ admitted: false, count: 4, freesInMs: W - 24_000 });
    expect((await at(key, 59_999)).admitted).to.equal(false);
    const next = await at(key, 60_001);
    expect(next, 'the previous window weighs floor(4 * 59999/60000) = 3').to.deep.include({
      admitted: true,
      count: 4,
    });
  });

  it('weights the previous window by what is left of it', async () => {
    const key = `test:sw:${randomUUID()}`;
    for (const t of [0, 1, 2, 3]) expect((await at(key, t)).admitted).to.equal(true);
    expect((await at(key, 60_001)).admitted).to.equal(true);
    // Now 4 in the previous window and 1 in this one: 4 * (1 - e/W) must drop below 3.
    const refused = await at(key, 60_001);
    expect(refused).to.deep.equal({ admitted: false, count: 4, freesInMs: 14_999 });
    expect((await at(key, 75_000)).admitted, 'at the instant itself: 3 + 1').to.equal(false);
    expect(await at(key, 75_001), 'just after: 2 + 1, then this one').to.deep.include({
      admitted: true,
      count: 4,
    });
    expect((await at(key, 90_000)).admitted, '4 * 1/2 + 2 = 4').to.equal(false);
    expect((await at(key, 105_001)).admitted, 'floor(4 * 14999/60000) + 2 = 2').to.equal(true);
  });

  it('starts afresh after two idle windows, and keeps the hash no longer than they last', async () => {
    const key = `test:sw:${randomUUID()}`;
    for (const t of [0, 1, 2, 3]) expect((await at(key, t)).admitted).to.equal(true);
    const pttl = await redis.pttl(key);
    expect(pttl).to.be.within(1, 2 * W);
    for (const t of [120_000, 120_001, 120_002, 120_003])
      expect((await at(key, t)).admitted, `at ${t}`).to.equal(true);
    expect((await at(key, 120_004)).admitted).to.equal(false);
  });
});
