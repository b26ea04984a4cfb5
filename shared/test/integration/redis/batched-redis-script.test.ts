import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../../src/logger/logger.ts';
import { defineBatchedRedisScript } from '../../../src/redis/batched-redis-script.ts';
import { closeRedis, createRedis, type Redis } from '../../../src/redis/create-redis.ts';
import { redisCommandsNaming } from '../../support/redis-commands.ts';

/** Appends ARGV[1] to the list KEYS[1] and answers {its place in the list, ARGV[1]}. */
const APPEND_LUA = `
local function perCall(KEYS, ARGV)
  return {redis.call('RPUSH', KEYS[1], ARGV[1]), ARGV[1]}
end`;

/**
 * The batches sent: each is one EVALSHA, or an EVAL when Redis had not got the script (first use,
 * a flushed script cache), or both; the same keys and arguments after the script are one batch.
 */
const sends = (commands: string[][]) => [
  ...new Map(
    commands
      .filter((args) => ['evalsha', 'eval'].includes(args[0]?.toLowerCase() ?? ''))
      .map((args) => [args.slice(2).join('\u0000'), args]),
  ).values(),
];

describe('batched Redis scripts (real Redis)', () => {
  const logger = createLogger({
    name: 'batched-script-test',
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  let redis: Redis;
  before(async () => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    redis = createRedis(process.env.REDIS_URL, 'batched-script-test', logger);
    if (redis.status !== 'ready') await once(redis, 'ready'); // it queues nothing while offline
  });
  after(async () => {
    await closeRedis(redis);
  });

  it('sends concurrent calls as few commands, runs them in call order and answers each its own', async () => {
    const append = defineBatchedRedisScript(redis, 'testAppend', APPEND_LUA);
    const list = `batch-test:${randomUUID()}`;
    let replies: unknown[] = [];
    const commands = await redisCommandsNaming(process.env.REDIS_URL as string, list, async () => {
      replies = await Promise.all(Array.from({ length: 60 }, (_, i) => append([list], [`call-${i}`])));
    });
    expect(replies).to.deep.equal(Array.from({ length: 60 }, (_, i) => [i + 1, `call-${i}`]));
    expect(await redis.lrange(list, 0, -1)).to.deep.equal(Array.from({ length: 60 }, (_, i) => `call-${i}`));
    // Made in one turn of the event loop: one batch for all 60.
    expect(sends(commands)).to.have.length(1);
    await redis.del(list);
  });

  it('keeps calls made while a batch is on its way for the next one, and no batch over maxCalls', async () => {
    const append = defineBatchedRedisScript(redis, 'testAppendCapped', APPEND_LUA, { maxCalls: 16 });
    const list = `batch-test:${randomUUID()}`;
    let replies: unknown[] = [];
    const commands = await redisCommandsNaming(process.env.REDIS_URL as string, list, async () => {
      const first = Array.from({ length: 40 }, (_, i) => append([list], [`a${i}`]));
      await new Promise((resolve) => setImmediate(resolve)); // the first batch is now on its way
      const second = Array.from({ length: 5 }, (_, i) => append([list], [`b${i}`]));
      replies = await Promise.all([...first, ...second]);
    });
    const order = [
      ...Array.from({ length: 40 }, (_, i) => `a${i}`),
      ...Array.from({ length: 5 }, (_, i) => `b${i}`),
    ];
    expect(replies.map((r) => (r as unknown[])[1])).to.deep.equal(order);
    expect(await redis.lrange(list, 0, -1)).to.deep.equal(order);
    // 40 calls in batches of at most 16 (three commands), then the 5 made later.
    expect(sends(commands).length).to.be.within(3, 4);
    // EVALSHA sha numkeys keys... calls ...: one key per call here.
    for (const args of sends(commands)) expect(Number(args[2])).to.be.at.most(16);
    await redis.del(list);
  });

  it('fails every call of a batch that Redis refuses, and answers the next batch', async () => {
    const append = defineBatchedRedisScript(redis, 'testAppendRefused', APPEND_LUA);
    const notAList = `batch-test:${randomUUID()}`;
    const list = `batch-test:${randomUUID()}`;
    await redis.set(notAList, 'a string');
    const outcomes = await Promise.allSettled([append([list], ['x']), append([notAList], ['y'])]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).to.match(/WRONGTYPE/);
    // Redis does not roll a script back: the call before the refused one ran, though no one was
    // answered (a rate limit fails closed). The next batch is answered.
    expect(await append([list], ['z'])).to.deep.equal([2, 'z']);
    expect(await redis.lrange(list, 0, -1)).to.deep.equal(['x', 'z']);
    await redis.del(notAList, list);
  });
});
