import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { createRateLimiter, type RateLimiter } from '../../../src/http/rate-limiter.ts';
import { createLogger } from '../../../src/logger/logger.ts';
import { closeRedis, createRedis, type Redis } from '../../../src/redis/create-redis.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor } from '../../support/wait-for.ts';

/** A Koa context of its own per request, as the app would make it. */
const newContext = (): Context => {
  const req = new IncomingMessage(new Socket());
  return new Koa().createContext(req, new ServerResponse(req));
};
/** Whether one more request in `bucket` is allowed (a context of its own, headers not looked at). */
const admits = async (limiter: RateLimiter, bucket: string, max: number) =>
  (await limiter.check(newContext(), bucket, max)).allowed;
const headers = (ctx: Context) => ({
  limit: ctx.response.get('RateLimit-Limit'),
  remaining: ctx.response.get('RateLimit-Remaining'),
  reset: ctx.response.get('RateLimit-Reset'),
  retryAfter: ctx.response.get('Retry-After'),
});

describe('rate limiter (real Redis)', () => {
  const logger = createLogger({
    name: 'rate-limiter-test',
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  let proxy: TcpProxy;
  let redis: Redis;
  before(async () => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    const target = new URL(process.env.REDIS_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    target.host = `127.0.0.1:${proxy.port}`;
    // The services' own client (fails fast instead of queueing), through a proxy the test can cut.
    redis = createRedis(target.toString(), 'rate-limiter-test', logger);
    await waitFor('Redis to be ready', () => redis.status === 'ready');
  });
  after(async () => {
    await closeRedis(redis);
    await proxy?.close();
  });
  const bucket = () => `test:${randomUUID()}`;

  it('counts down Remaining, then refuses with Retry-After until the window frees a request', async () => {
    const limiter = createRateLimiter(redis, { windowMs: 60_000 });
    const id = bucket();
    for (const remaining of ['2', '1', '0']) {
      const ctx = newContext();
      expect(await limiter.check(ctx, id, 3)).to.deep.equal({
        allowed: true,
        retryAfter: 0,
        remaining: Number(remaining),
      });
      const sent = headers(ctx);
      expect(sent).to.include({ limit: '3', remaining, retryAfter: undefined });
      // Seconds from now (the RateLimit header fields), not an epoch.
      expect(Number(sent.reset)).to.be.within(59, 60);
    }
    const ctx = newContext();
    const refused = await limiter.check(ctx, id, 3);
    expect(refused.allowed).to.equal(false);
    expect(refused.retryAfter).to.be.within(59, 60);
    expect(headers(ctx)).to.deep.equal({
      limit: '3',
      remaining: '0',
      reset: String(refused.retryAfter),
      retryAfter: String(refused.retryAfter),
    });
    const other = newContext();
    expect((await limiter.check(other, bucket(), 3)).allowed, 'another bucket is not affected').to.equal(
      true,
    );
    expect(headers(other).remaining).to.equal('2');
  });

  it('takes the limit per check: the same bucket answers to the max it is asked with', async () => {
    const limiter = createRateLimiter(redis, { windowMs: 60_000 });
    const id = bucket();
    expect(await admits(limiter, id, 1)).to.equal(true);
    expect(await admits(limiter, id, 1)).to.equal(false);
    const ctx = newContext();
    expect((await limiter.check(ctx, id, 5)).allowed, 'a higher limit for the same bucket').to.equal(true);
    expect(headers(ctx)).to.include({ limit: '5', remaining: '3' });
  });

  it('slides: a request leaves the count one window after it was made, refused ones are not counted', async () => {
    // A window long enough that a busy machine cannot let it pass between the three checks.
    const limiter = createRateLimiter(redis, { windowMs: 2_000 });
    const id = bucket();
    expect(await admits(limiter, id, 2)).to.equal(true);
    expect(await admits(limiter, id, 2)).to.equal(true);
    const ctx = newContext();
    const refused = await limiter.check(ctx, id, 2);
    expect(refused).to.deep.equal({ allowed: false, retryAfter: 2, remaining: 0 });
    // The window ends within two seconds (Reset is whole seconds from now).
    expect(headers(ctx).reset).to.be.oneOf(['1', '2']);
    expect(headers(ctx).retryAfter).to.equal('2');
    // Refused checks add nothing, so polling does not hold the bucket shut.
    await waitFor('the window to free a request', () => admits(limiter, id, 2));
    // Whatever the key layout, nothing of a bucket outlives its use by long.
    const keys = await redis.keys(`rl:*${id}*`);
    expect(keys).not.to.be.empty;
    for (const key of keys) expect(await redis.pttl(key), key).to.be.within(1, 2 * 2_000);
  });

  it('keeps buckets apart by namespace', async () => {
    const id = bucket();
    const a = createRateLimiter(redis, { windowMs: 60_000, namespace: 'rl-a' });
    const b = createRateLimiter(redis, { windowMs: 60_000, namespace: 'rl-b' });
    expect(await admits(a, id, 1)).to.equal(true);
    expect(await admits(a, id, 1)).to.equal(false);
    expect(await admits(b, id, 1), 'the same bucket in another namespace').to.equal(true);
  });

  it('fails closed: a Redis that cannot be asked is a 503 naming redis, and no headers are sent', async () => {
    const limiter = createRateLimiter(redis, { windowMs: 60_000 });
    const id = bucket();
    await proxy.cut();
    try {
      await waitFor('the client to see Redis gone', () => redis.status !== 'ready');
      const ctx = newContext();
      const err = await limiter.check(ctx, id, 3).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ServiceUnavailableError);
      expect(err).to.include({ status: 503, code: 'service_unavailable', dependency: 'redis' });
      expect(headers(ctx)).to.deep.equal({
        limit: undefined,
        remaining: undefined,
        reset: undefined,
        retryAfter: undefined,
      });
    } finally {
      await proxy.restore();
    }
    await waitFor('Redis to be back', () => redis.status === 'ready');
    expect(await admits(limiter, id, 3), 'and answers again once it is back').to.equal(true);
  });
});
