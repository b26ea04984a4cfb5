import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, EXIT_CODES } from '@vectorauth/shared';
import { type BackingServices, serviceEnv, startBackingServices } from './lib/backing-services.ts';
import { checkPortsFree } from './lib/check-ports.ts';
import { parseOrExit } from './lib/command-line.ts';
import { loadServiceConfigs } from './lib/service-configs.ts';
import { runNode, type ServiceProcess, spawnNode, waitUntilReady } from './lib/service-process.ts';
import { claimStartLock } from './lib/start-lock.ts';
import { takeOverSignals } from './lib/take-over-signals.ts';
import { walkthrough } from './lib/walkthrough.ts';

/**
 * `npm start`: backing services (unless URLs are given), migrations, both services, a banner.
 * SIGINT or SIGTERM (Ctrl-C, a supervisor, a kill of the whole process group) stops everything
 * this started, services first (they drain), then Redis and Postgres, and exits 0. Both services
 * get the URLs the banner prints (ISSUER, VECTOR_API_URL), so they agree with it and each other.
 */
parseOrExit({
  name: 'npm start',
  run: 'npm start --',
  summary: [
    'Starts Postgres (embedded) and redis-server under DATA_DIR unless DATABASE_URL, VECTOR_DATABASE_URL',
    'and REDIS_URL are given, migrates, runs the auth server and the vector API, and prints a banner with',
    'their URLs and a walkthrough. Ctrl-C (SIGINT) or SIGTERM stops everything it started.',
  ].join('\n'),
  options: {},
  examples: ['npm start', 'AUTH_PORT=3100 ADMIN_PORT=3101 VECTOR_PORT=4100 npm start'],
  notes:
    'Both services read the environment (README, "Configuration"); a bad variable is named before anything starts.',
});

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? resolve(root, '.data'));
const log = (line: string) => console.error(`[start] ${line}`);

const children = new Set<ServiceProcess>();
let backing: Promise<BackingServices> | undefined;
let releaseLock = () => {};
let stopping: Promise<never> | undefined;
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    if (children.size > 0 || backing) log('stopping');
    await Promise.all([...children].map((s) => s.stop()));
    const started = await backing?.catch(() => undefined);
    await started?.stop();
    releaseLock();
    process.exit(code);
  })();
  return stopping;
}
takeOverSignals(() => void stopAll(0));

// Both configurations as the services will get them (the backing services' URLs stand in for
// those not given): a bad variable is named now, once, before anything starts.
let configs: ReturnType<typeof loadServiceConfigs>;
try {
  configs = loadServiceConfigs(process.env, dataDir);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`npm start: ${err.message}`);
  process.exit(EXIT_CODES.config);
}
const { auth, vector } = configs;
const issuer = auth.issuer;
const vectorUrl = auth.vectorApiUrl;
const adminUrl = `http://${auth.admin.host}:${auth.admin.port}`;

try {
  mkdirSync(dataDir, { recursive: true });
  releaseLock = claimStartLock(dataDir).release;
  await checkPortsFree([
    { host: auth.host, port: auth.port, variables: { host: 'AUTH_HOST', port: 'AUTH_PORT' } },
    { host: auth.admin.host, port: auth.admin.port, variables: { host: 'ADMIN_HOST', port: 'ADMIN_PORT' } },
    { host: vector.host, port: vector.port, variables: { host: 'VECTOR_HOST', port: 'VECTOR_PORT' } },
  ]);
  backing = startBackingServices({
    dataDir,
    env: process.env,
    databases: { auth: 'auth', vector: 'vector' },
    log,
  });
  const env: NodeJS.ProcessEnv = {
    ...serviceEnv(await backing, dataDir, process.env),
    ISSUER: issuer,
    VECTOR_API_URL: vectorUrl,
  };
  log('migrating');
  const track = (p: ServiceProcess) => {
    children.add(p);
    void p.exited.then(() => children.delete(p));
  };
  for (const script of ['auth-server/src/migrate.ts', 'vector-api/src/migrate.ts']) {
    if (stopping) await stopping;
    await runNode(resolve(root, script), env, track);
  }
  if (stopping) await stopping;
  const authServer = spawnNode('auth-server', resolve(root, 'auth-server/src/main.ts'), env);
  const vectorApi = spawnNode('vector-api', resolve(root, 'vector-api/src/main.ts'), env);
  for (const s of [authServer, vectorApi]) {
    children.add(s);
    void s.exited.then((code) => {
      if (!stopping) {
        log(`${s.name} exited with ${code}; stopping everything`);
        void stopAll(1);
      }
    });
  }
  await waitUntilReady(`${issuer}/readyz`, authServer);
  await waitUntilReady(`${vectorUrl}/readyz`, vectorApi);
} catch (err) {
  if (stopping) await stopping;
  log(err instanceof Error ? err.message : String(err));
  await stopAll(1);
}

// From another terminal the admin CLI knows neither ADMIN_PORT nor DATA_DIR: the banner says them.
const cliEnv: Record<string, string> = {};
if (adminUrl !== 'http://127.0.0.1:3001') cliEnv.ADMIN_URL = adminUrl;
if (dataDir !== resolve(root, '.data') && !process.env.ADMIN_TOKEN) cliEnv.DATA_DIR = dataDir;

console.log(`
  Ready.
    auth-server   ${issuer}   (discovery: ${issuer}/.well-known/openid-configuration)
    admin API     ${adminUrl}   (loopback only)
    vector-api    ${vectorUrl}   (docs: ${vectorUrl}/docs)
    admin token   ${resolve(dataDir, 'secrets/admin-token')}${process.env.ADMIN_TOKEN ? ' (ADMIN_TOKEN is set: that one is used)' : ''}

  Try it (another terminal, from this directory):
${walkthrough({ issuer, adminUrl, vectorUrl, cliEnv })
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}

  Ctrl-C (or kill -TERM ${process.pid}) stops everything.
`);
