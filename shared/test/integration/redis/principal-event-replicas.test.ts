import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PRINCIPAL_EVENTS_STREAM, publishPrincipalDeleted } from '../../../src/events/principal-events.ts';
import { closeRedis, createRedis } from '../../../src/redis/create-redis.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitFor } from '../../support/wait-for.ts';

/** A principal's deletion event counts only once the replicas asked for have it (REDIS_WAIT_REPLICAS). */
describe('principal events wait for replicas (real Redis, no replica)', () => {
  it('appends without waiting when none are asked for, and refuses when one is and none confirms', async () => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    const logger = silentLogger('principal-event-test');
    const redis = createRedis(process.env.REDIS_URL, 'principal-event-test', logger);
    try {
      await waitFor('ready', () => redis.status === 'ready');
      const id = await publishPrincipalDeleted(redis, `user-${randomUUID()}`);
      expect(id).to.match(/^\d+-\d+$/);
      let refused: unknown;
      await publishPrincipalDeleted(redis, `user-${randomUUID()}`, new Date(), {
        replicas: 1,
        timeoutMs: 50,
      }).catch((err: unknown) => {
        refused = err;
      });
      expect(String(refused)).to.contain('0 of 1 replicas');
      expect(await redis.xlen(PRINCIPAL_EVENTS_STREAM)).to.be.greaterThan(0);
    } finally {
      await closeRedis(redis);
    }
  });
});
