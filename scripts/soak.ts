import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomVectors } from './bench/dataset.ts';
import { createHttpClient } from './bench/http-client.ts';
import { requestToken } from './bench/scenarios/client-credentials.ts';
import { benchSoak } from './bench/scenarios/soak.ts';
import { formatSoak } from './bench/scenarios/soak-report.ts';
import { fillCollection } from './bench/scenarios/vector-search.ts';
import { benchRateLimits } from './bench/stack.ts';
import { serviceEnv, startBackingServices } from './lib/backing-services.ts';
import { type Fleet, startFleet } from './lib/fleet.ts';
import { runNode } from './lib/service-process.ts';
import { parseWholeNumberOptions } from './lib/whole-number-options.ts';

/**
 * `npm run soak -- --minutes N [--auth 2 --vector 2]`: a fleet (`npm run fleet`'s: N auth servers
 * and N vector APIs behind HAProxy) on fresh databases under `.data/soak`, `--principals` clients
 * each with a filled collection, then the bench's soak (each principal's mix in turn) through the
 * load balancer: the mixed traffic's peak, then 80% of it for N minutes, with 5xx,
 * p50/p99 per minute and the RSS of every process (each instance, HAProxy, Postgres, Redis).
 */
const USAGE =
  'usage: npm run soak -- --minutes N [--auth N] [--vector N] [--peak-seconds 20] [--vectors 10000] [--principals 4]';
const { 'peak-seconds': peakSeconds, ...counts } = parseWholeNumberOptions(
  {
    minutes: { default: 10, min: 1, max: 24 * 60 },
    auth: { default: 2, min: 1, max: 8 },
    vector: { default: 2, min: 1, max: 8 },
    'peak-seconds': { default: 20, min: 5, max: 600 },
    vectors: { default: 10_000, min: 100, max: 1_000_000 },
    principals: { default: 4, min: 1, max: 64 },
  },
  USAGE,
);
const params = { ...counts, peakSeconds };

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, '.data/soak');
const log = (line: string) => console.error(`[soak] ${line}`);
const SCOPE = 'vectors:read vectors:write vectors:delete';
const DIMENSION = 384;
rmSync(dataDir, { recursive: true, force: true });
const backing = await startBackingServices({
  dataDir,
  env: process.env,
  databases: { auth: 'auth_soak', vector: 'vector_soak' },
  fresh: true,
  log,
});
let fleet: Fleet | undefined;
let code = 0;
try {
  const adminToken = randomBytes(32).toString('base64url');
  const env = {
    ...serviceEnv(backing, dataDir, process.env),
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    ...benchRateLimits(process.env),
  };
  for (const script of ['auth-server/src/migrate.ts', 'vector-api/src/migrate.ts'])
    await runNode(resolve(root, script), env);
  log(`starting ${params.auth} auth servers, ${params.vector} vector APIs and HAProxy`);
  fleet = await startFleet({
    counts: { auth: params.auth, vector: params.vector },
    env,
    dir: resolve(dataDir, 'haproxy'),
  });
  const http = createHttpClient(64);
  const adminUrl = fleet.instances.find((i) => i.kind === 'auth')?.adminUrl as string;
  // Traffic goes to the load balancer's loopback address; tokens still name its URLs (iss, aud).
  const loopback = (url: string) => url.replace('//localhost:', '//127.0.0.1:');
  const [authUrl, vectorUrl] = [loopback(fleet.authUrl), loopback(fleet.vectorUrl)];
  // Several principals, as a fleet serves: HAProxy spreads them over the vector instances.
  log(
    `filling ${params.principals} principals' collections of ${params.vectors} x ${DIMENSION} vectors through the load balancer`,
  );
  const tenants = await Promise.all(
    Array.from({ length: params.principals }, async (_, n) => {
      const client = await http.json<{ client_id: string; client_secret: string }>(
        'POST',
        `${adminUrl}/admin/clients`,
        201,
        {
          headers: { authorization: `Bearer ${adminToken}` },
          body: { client_name: `soak ${n + 1}`, grant_types: ['client_credentials'], scope: SCOPE },
        },
      );
      const credentials = {
        tokenUrl: `${authUrl}/token`,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        scope: SCOPE,
        audience: fleet?.vectorUrl as string,
      };
      const target = { vectorUrl, token: await requestToken(http, credentials), collection: 'soak' };
      await fillCollection(http, target, randomVectors(params.vectors, DIMENSION, n + 1), {
        dimension: DIMENSION,
        metric: 'ip',
        batch: 500,
      });
      return { credentials, searchCollection: 'soak' };
    }),
  );
  const result = await benchSoak(
    http,
    {
      tenants,
      authUrl,
      vectorUrl,
      writeCollection: 'soak-writes',
      dimension: DIMENSION,
      processes: fleet.processes(),
    },
    {
      minutes: params.minutes,
      concurrency: 16,
      peakSeconds: params.peakSeconds,
      share: 0.8,
      maxInFlight: 2000,
    },
    log,
  );
  console.log(
    `\nfleet: ${params.auth} auth servers, ${params.vector} vector APIs behind HAProxy\n${formatSoak(result)}`,
  );
  if (result.total.serverErrors > 0) code = 1;
} catch (err) {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  code = 1;
} finally {
  await fleet?.stop();
  await backing.stop();
}
process.exit(code);
