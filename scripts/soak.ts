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
import { parseOrExit } from './lib/command-line.ts';
import { type Fleet, startFleet } from './lib/fleet.ts';
import { runNode } from './lib/service-process.ts';

/**
 * `npm run soak -- --minutes N [--auth 2 --vector 2]`: a fleet (`npm run fleet`'s: N auth servers
 * and N vector APIs behind HAProxy) on fresh databases under `.data/soak`, `--principals` clients
 * each with a filled collection, then the bench's soak (each principal's mix in turn) through the
 * load balancer: the mixed traffic's peak, then 80% of it for N minutes, with 5xx,
 * p50/p99 per minute and the RSS of every process (each instance, HAProxy, Postgres, Redis).
 */
const whole = (fallback: number, min: number, max: number, help: string) =>
  ({ type: 'string', value: 'N', default: String(fallback), whole: { min, max }, help }) as const;
const { values } = parseOrExit({
  name: 'soak',
  run: 'npm run soak --',
  summary: [
    'Starts a fleet (npm run fleet: N auth servers and N vector APIs behind HAProxy) on fresh databases',
    'under .data/soak, gives --principals clients a filled collection each, measures the peak of a mixed',
    'traffic through the load balancer, then sends 80% of it for --minutes and reports 5xx, p50/p99 per',
    'minute and the memory of every process.',
  ].join('\n'),
  options: {
    minutes: whole(10, 1, 24 * 60, 'minutes of traffic at 80% of the peak'),
    auth: whole(2, 1, 8, 'auth servers behind the load balancer'),
    vector: whole(2, 1, 8, 'vector APIs behind the load balancer'),
    'peak-seconds': whole(20, 5, 600, 'seconds the peak is measured for'),
    vectors: whole(10_000, 100, 1_000_000, "vectors in each principal's collection"),
    principals: whole(4, 1, 64, 'clients, each with its own collection'),
  },
  examples: ['npm run soak -- --minutes 10', 'npm run soak -- --minutes 60 --auth 3 --vector 3'],
});
const params = {
  minutes: Number(values.minutes),
  auth: Number(values.auth),
  vector: Number(values.vector),
  peakSeconds: Number(values['peak-seconds']),
  vectors: Number(values.vectors),
  principals: Number(values.principals),
};

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
