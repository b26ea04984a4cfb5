import { expect } from 'chai';
import { closeRedis, createRedis, redisGoingAway } from '../../../src/redis/create-redis.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('closeRedis and redisGoingAway (real Redis)', () => {
  it('counts a connection being closed by us as going away while its status still says ready', async () => {
    if (!process.env.REDIS_URL) throw new Error('run through `npm test` (REDIS_URL)');
    const logger = silentLogger('close-redis-test');
    const redis = createRedis(process.env.REDIS_URL, 'close-redis-test', logger);
    await waitFor('ready', () => redis.status === 'ready');
    expect(redisGoingAway(redis)).to.equal(false);
    const closed = closeRedis(redis);
    // QUIT is on its way: the status has not moved yet, and a command failing now is no outage.
    expect(redis.status).to.equal('ready');
    expect(redisGoingAway(redis)).to.equal(true);
    await closed;
    expect(redisGoingAway(redis)).to.equal(true);
  });
});
