import { createRevocationStore } from '../../src/auth/revocation-store.ts';
import { closeRedis, createRedis } from '../../src/redis/create-redis.ts';
import { silentLogger } from './silent-logger.ts';
import { testClaims } from './test-claims.ts';

/**
 * `node redis-tls-probe.ts <REDIS_URL>`, run with NODE_EXTRA_CA_CERTS naming the test CA (Node
 * reads it only at start): connects as the services do, revokes a token and checks it; prints
 * `ok` or the problem, exits 0 or 1.
 */
const url = process.argv[2] as string;
const logger = silentLogger('tls-probe');
const redis = createRedis(url, 'tls-probe', logger);
let code = 1;
try {
  const deadline = Date.now() + 15_000;
  while (redis.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`not ready: ${redis.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const store = createRevocationStore(redis);
  const token = testClaims();
  await store.revokeToken(token.jti, token.exp);
  if (!(await store.isRevoked(token)) || (await store.isRevoked(testClaims())))
    throw new Error('wrong answers');
  console.log('ok');
  code = 0;
} catch (err) {
  console.log(err instanceof Error ? err.message : String(err));
} finally {
  await closeRedis(redis);
}
process.exit(code);
