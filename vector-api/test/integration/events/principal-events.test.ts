import { randomUUID } from 'node:crypto';
import {
  closeRedis,
  createLogger,
  createRedis,
  PRINCIPAL_EVENTS_STREAM,
  type PrincipalEvent,
  type PrincipalEventConsumer,
  publishPrincipalDeleted,
  type Redis,
  startPrincipalEventConsumer,
} from '@vectorauth/shared';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { requireTestEnv } from '../../support/test-env.ts';
import { waitFor } from '../../support/wait-for.ts';

const logger = createLogger({ name: 'events-test', level: 'silent' });

describe('principal events over a Redis stream (shared contract, real Redis)', function () {
  // A handler fails on purpose to show the retry.
  expectLogLines([
    { service: 'events-test', level: 'error', msg: 'principal events: handling failed; will retry' },
  ]);
  this.timeout(30_000);
  const { redisUrl } = requireTestEnv();
  let redis: Redis;
  const consumers: PrincipalEventConsumer[] = [];

  /** A consumer in `group` that records the subs it handled (and may fail on some). */
  function consume(group: string, name: string, seen: string[], fail?: (sub: string) => boolean) {
    const consumer = startPrincipalEventConsumer({
      redis: createRedis(redisUrl, `test-${name}`, logger),
      group,
      consumer: name,
      logger,
      claimIdleMs: 300,
      retryDelayMs: 50,
      blockMs: 200,
      handle: async (event: PrincipalEvent) => {
        if (fail?.(event.sub)) throw new Error('handler failed');
        seen.push(event.sub);
      },
    });
    consumers.push(consumer);
    return consumer;
  }

  const pending = async (group: string) =>
    ((await redis.xpending(PRINCIPAL_EVENTS_STREAM, group)) as [number])[0];

  before(async () => {
    redis = createRedis(redisUrl, 'events-test', logger);
    await waitFor('redis', () => redis.status === 'ready');
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await closeRedis(redis);
  });

  it('appends entries of the documented shape', async () => {
    const sub = `user-${randomUUID()}`;
    const at = new Date('2026-11-22T10:00:00.000Z');
    const id = await publishPrincipalDeleted(redis, sub, at);
    const [[entryId, fields]] = (await redis.xrange(PRINCIPAL_EVENTS_STREAM, id, id)) as [[string, string[]]];
    expect(entryId).to.equal(id);
    expect(fields).to.deep.equal(['type', 'principal.deleted', 'sub', sub, 'at', at.toISOString()]);
  });

  it('delivers events published before the group existed, each once across the group', async () => {
    const group = `g-${randomUUID()}`;
    const subs = Array.from({ length: 12 }, () => `user-${randomUUID()}`);
    for (const sub of subs.slice(0, 6)) await publishPrincipalDeleted(redis, sub);
    const one: string[] = [];
    const two: string[] = [];
    consume(group, 'one', one);
    consume(group, 'two', two);
    for (const sub of subs.slice(6)) await publishPrincipalDeleted(redis, sub);
    await waitFor('all twelve', () => subs.every((s) => one.includes(s) || two.includes(s)));
    const mine = [...one, ...two].filter((s) => subs.includes(s));
    expect(mine).to.have.length(12); // none twice
    await waitFor('all acknowledged', async () => (await pending(group)) === 0);
  });

  it('retries an event whose handler failed, and acknowledges it only once handled', async () => {
    const group = `g-${randomUUID()}`;
    const sub = `user-${randomUUID()}`;
    let attempts = 0;
    const seen: string[] = [];
    consume(group, 'flaky', seen, (s) => s === sub && ++attempts <= 2);
    await publishPrincipalDeleted(redis, sub);
    await waitFor('handled after two failures', () => seen.includes(sub));
    expect(attempts).to.equal(3);
    await waitFor('acknowledged', async () => (await pending(group)) === 0);
  });

  it('takes over what a dead consumer left unacknowledged, and survives a restart', async () => {
    const group = `g-${randomUUID()}`;
    const seen: string[] = [];
    // the group exists and is up to date
    const first = consume(group, 'first', seen);
    const warmup = `user-${randomUUID()}`;
    await publishPrincipalDeleted(redis, warmup);
    await waitFor('warm-up', () => seen.includes(warmup));
    await first.close();
    // a consumer that took an entry and died before acknowledging it
    const orphan = `user-${randomUUID()}`;
    await publishPrincipalDeleted(redis, orphan);
    await redis.xreadgroup(
      'GROUP',
      group,
      'dead-instance',
      'COUNT',
      10,
      'STREAMS',
      PRINCIPAL_EVENTS_STREAM,
      '>',
    );
    // published while nobody runs
    const whileDown = `user-${randomUUID()}`;
    await publishPrincipalDeleted(redis, whileDown);
    consume(group, 'restarted', seen);
    await waitFor('both handled', () => seen.includes(orphan) && seen.includes(whileDown));
    await waitFor('acknowledged', async () => (await pending(group)) === 0);
  });

  it('forgets consumers of dead instances once they have nothing pending', async () => {
    const group = `g-${randomUUID()}`;
    await redis.xgroup('CREATE', PRINCIPAL_EVENTS_STREAM, group, '$', 'MKSTREAM');
    await redis.call('XGROUP', 'CREATECONSUMER', PRINCIPAL_EVENTS_STREAM, group, 'long-gone');
    const names = async () =>
      ((await redis.xinfo('CONSUMERS', PRINCIPAL_EVENTS_STREAM, group)) as string[][]).map((row) => row[1]);
    expect(await names()).to.include('long-gone');
    consumers.push(
      startPrincipalEventConsumer({
        redis: createRedis(redisUrl, 'test-cleaner', logger),
        group,
        consumer: 'alive',
        logger,
        claimIdleMs: 100,
        forgetConsumersAfterMs: 200,
        blockMs: 100,
        handle: async () => undefined,
      }),
    );
    await waitFor('the dead consumer to be forgotten', async () => !(await names()).includes('long-gone'));
    expect(await names()).to.include('alive');
  });

  it('closes while blocked in XREADGROUP (the connection is dropped, not waited out)', async () => {
    const name = `test-idle-${randomUUID()}`;
    const consumer = startPrincipalEventConsumer({
      redis: createRedis(redisUrl, name, logger),
      group: `g-${randomUUID()}`,
      consumer: 'idle',
      logger,
      blockMs: 30_000,
      handle: async () => undefined,
    });
    await waitFor('the consumer to block in XREADGROUP', async () =>
      String(await redis.call('CLIENT', 'LIST'))
        .split('\n')
        .some((line) => line.includes(`name=${name} `) && line.includes('cmd=xreadgroup')),
    );
    await consumer.close();
  });
});
