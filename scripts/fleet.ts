import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BackingServices, serviceEnv, startBackingServices } from './lib/backing-services.ts';
import { parseOrExit } from './lib/command-line.ts';
import { type Fleet, startFleet } from './lib/fleet.ts';
import { runNode } from './lib/service-process.ts';
import { claimStartLock } from './lib/start-lock.ts';
import { takeOverSignals } from './lib/take-over-signals.ts';

/**
 * `npm run fleet [-- --auth 2 --vector 2]`: backing services under `.data/fleet` (unless URLs are
 * given), migrations, then N auth servers and N vector APIs behind one HAProxy
 * (scripts/lib/haproxy-config.ts), and a banner with the load balancer's URLs. Ctrl-C or SIGTERM
 * stops everything it started.
 */
const { values } = parseOrExit({
  name: 'fleet',
  run: 'npm run fleet --',
  summary: [
    'Starts the backing services under .data/fleet (unless DATABASE_URL, VECTOR_DATABASE_URL and',
    'REDIS_URL are given), migrates, then N auth servers and N vector APIs behind one HAProxy, and',
    "prints the load balancer's URLs. Ctrl-C or SIGTERM stops everything it started.",
  ].join('\n'),
  options: {
    auth: { type: 'string', value: 'N', default: '2', whole: { min: 1, max: 8 }, help: 'auth servers' },
    vector: { type: 'string', value: 'N', default: '2', whole: { min: 1, max: 8 }, help: 'vector APIs' },
  },
  examples: ['npm run fleet -- --auth 3 --vector 2'],
});
const counts = { auth: Number(values.auth), vector: Number(values.vector) };

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? resolve(root, '.data/fleet'));
const log = (line: string) => console.error(`[fleet] ${line}`);
let backing: Promise<BackingServices> | undefined;
let fleet: Fleet | undefined;
let releaseLock = () => {};
let stopping: Promise<never> | undefined;
const stopAll = (code: number): Promise<never> => {
  stopping ??= (async () => {
    log('stopping');
    await fleet?.stop();
    await (await backing?.catch(() => undefined))?.stop();
    releaseLock();
    process.exit(code);
  })();
  return stopping;
};
takeOverSignals(() => void stopAll(0));

try {
  mkdirSync(dataDir, { recursive: true });
  releaseLock = claimStartLock(dataDir).release;
  backing = startBackingServices({
    dataDir,
    env: process.env,
    databases: { auth: 'auth', vector: 'vector' },
    log,
  });
  const env = serviceEnv(await backing, dataDir, process.env);
  log('migrating');
  for (const script of ['auth-server/src/migrate.ts', 'vector-api/src/migrate.ts']) {
    await runNode(resolve(root, script), env);
  }
  log(`starting ${counts.auth} auth servers, ${counts.vector} vector APIs and HAProxy`);
  fleet = await startFleet({ counts, env, dir: resolve(dataDir, 'haproxy') });
  const lines = [
    `auth (issuer):  ${fleet.authUrl}   (HAProxy, round robin)`,
    `vector API:     ${fleet.vectorUrl}   (HAProxy, by the token's sub)`,
    ...fleet.instances.map(
      (i) => `  ${i.name.padEnd(8)} ${i.url}${i.adminUrl ? `   admin ${i.adminUrl}` : ''}`,
    ),
    `HAProxy config and log: ${resolve(dataDir, 'haproxy')}`,
    'Ctrl-C stops everything.',
  ];
  console.log(`\n${lines.join('\n')}\n`);
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  await stopAll(1);
}
